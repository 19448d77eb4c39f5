"""Registry endpoints: thin views over entities.selectors and entities.services."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, viewsets

from config.api.permissions import RegulatorWritesOthersRead
from entities import selectors, services
from entities.api.serializers import (
    EntitySerializer,
    LicenceSerializer,
    PersonRoleSerializer,
    PersonSerializer,
    PersonUpdateSerializer,
)
from entities.filtersets import EntityFilterSet, LicenceFilterSet, PersonFilterSet, PersonRoleFilterSet
from entities.models import Entity, Licence, Person, PersonRole

_CONFLICT = OpenApiResponse(description="与已有记录冲突")


class _RegistryViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Regulators write; others read within their scope. Records are never deleted (status instead)."""

    permission_classes = [RegulatorWritesOthersRead]


@extend_schema_view(create=extend_schema(responses={201: EntitySerializer, 409: _CONFLICT}))
class EntityViewSet(_RegistryViewSet):
    """市场主体 (regulator writes; inspectors read in scope; businesses read their own)."""

    queryset = Entity.objects.none()  # for the schema; requests use get_queryset()
    serializer_class = EntitySerializer
    filterset_class = EntityFilterSet
    ordering_fields = ["id", "name", "credit_code", "region_code", "created_at", "updated_at"]

    def get_queryset(self):
        return selectors.entities_for(self.request.user)

    def perform_create(self, serializer):
        serializer.instance = services.entity_create(**serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.entity_update(entity=serializer.instance, **serializer.validated_data)


@extend_schema_view(create=extend_schema(responses={201: PersonSerializer, 409: _CONFLICT}))
class PersonViewSet(_RegistryViewSet):
    """自然人; the ID number is write-only and stored only as a keyed hash plus a masked form."""

    queryset = Person.objects.none()  # for the schema; requests use get_queryset()
    serializer_class = PersonSerializer
    filterset_class = PersonFilterSet
    ordering_fields = ["id", "name", "created_at"]

    def get_queryset(self):
        return selectors.persons_for(self.request.user)

    def get_serializer_class(self):
        return PersonUpdateSerializer if self.action in {"update", "partial_update"} else PersonSerializer

    def perform_create(self, serializer):
        serializer.instance = services.person_create(
            name=serializer.validated_data["name"], id_number=serializer.validated_data["id_number"]
        )

    def perform_update(self, serializer):
        name = serializer.validated_data.get("name", serializer.instance.name)
        serializer.instance = services.person_update(person=serializer.instance, name=name)


class PersonRoleViewSet(_RegistryViewSet):
    """任职 links a person to an entity for a period."""

    queryset = PersonRole.objects.none()  # for the schema; requests use get_queryset()
    serializer_class = PersonRoleSerializer
    filterset_class = PersonRoleFilterSet
    ordering_fields = ["id", "started_on", "ended_on"]

    def get_queryset(self):
        return selectors.roles_for(self.request.user)

    def perform_create(self, serializer):
        serializer.instance = services.role_save(**serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.role_save(person_role=serializer.instance, **serializer.validated_data)


class LicenceViewSet(_RegistryViewSet):
    """许可证照."""

    queryset = Licence.objects.none()  # for the schema; requests use get_queryset()
    serializer_class = LicenceSerializer
    filterset_class = LicenceFilterSet
    ordering_fields = ["id", "issued_on", "expires_on"]

    def get_queryset(self):
        return selectors.licences_for(self.request.user)

    def perform_create(self, serializer):
        serializer.instance = services.licence_save(**serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.licence_save(licence=serializer.instance, **serializer.validated_data)
