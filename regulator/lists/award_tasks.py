"""Celery tasks of the 诚信评选 (awards): the recheck after new evidence and the nightly sweep. Thin and idempotent:
a recheck of an award already revoked finds nothing in force, an expiry already done finds nothing due."""

from __future__ import annotations

from celery import shared_task


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def recheck_awards(entity_ids: list[int]) -> list[int]:
    """Recheck the awards in force of entities whose evidence changed; returns the revoked applications."""
    from regulator.lists.award_services import awards_recheck

    return awards_recheck(entity_ids=entity_ids)


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=3)
def nightly_awards() -> dict[str, list[int]]:
    """Nightly (beat): awards past their validity expire, and every award in force is rechecked."""
    from regulator.lists.award_services import awards_expire_due, awards_recheck

    return {"expired": awards_expire_due(), "revoked": awards_recheck()}


def queue_recheck(entity_ids: list[int]) -> None:
    """``core.evidence`` listener (after commit): a recheck is queued only for entities holding an award in
    force, so the evidence of every other business costs one indexed look-up and no message."""
    from core.evidence import chunks
    from regulator.lists.awards import AwardApplication, AwardStatus

    holders = sorted(set(AwardApplication.objects.filter(entity_id__in=entity_ids, status=AwardStatus.GRANTED)
                         .values_list("entity_id", flat=True)))
    for part in chunks(holders):
        recheck_awards.delay(part)
