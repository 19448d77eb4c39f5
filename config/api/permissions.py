"""Role permissions. Object scope is enforced by the selectors, so these only gate actions."""

from rest_framework.permissions import SAFE_METHODS, BasePermission


class IsRegulator(BasePermission):
    """监管人员 (or a superuser)."""

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.is_regulator)


class RegulatorWritesOthersRead(BasePermission):
    """Regulators write; inspectors and businesses read what their scope lets them see."""

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated and user.is_active):
            return False
        if request.method in SAFE_METHODS:
            return True
        return user.is_regulator
