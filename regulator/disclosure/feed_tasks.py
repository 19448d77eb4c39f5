"""Celery tasks of the push feed (变更推送): number new events, kick the subscriptions, deliver in order.

``feed_dispatch`` runs on the beat every few seconds (and after a Python-recorded event commits): it numbers
the committed events and sends one ``feed_deliver`` per subscription with work waiting. ``feed_deliver`` is
thin and can run twice without harm: a second run finds the subscription's lock held and returns, and the
database (not the message) holds the cursor, the attempts and the next attempt's time. So a worker killed
mid-stream loses nothing: its unacknowledged message comes back (``acks_late``), and the next dispatch kicks
the subscription again anyway.
"""

from __future__ import annotations

from celery import shared_task


@shared_task(acks_late=True, ignore_result=True)
def feed_dispatch() -> int:
    """Number the committed events and kick every subscription that has one waiting (idempotent)."""
    from regulator.disclosure.feed_delivery import subscriptions_due  # tasks import services in their body
    from regulator.disclosure.feed_services import feed_sequence

    feed_sequence()
    due = subscriptions_due()
    for subscription_id in due:
        feed_deliver.delay(subscription_id=subscription_id)
    return len(due)


@shared_task(acks_late=True, ignore_result=True)
def feed_deliver(*, subscription_id: int) -> int:
    """Deliver the subscription's waiting events in order; after a failure, come back after its backoff."""
    from regulator.disclosure.feed_delivery import subscription_deliver

    outcome = subscription_deliver(subscription_id=subscription_id)
    if outcome.retry_in is not None:
        feed_deliver.apply_async(kwargs={"subscription_id": subscription_id}, countdown=max(outcome.retry_in, 0.05))
    elif outcome.more:
        feed_deliver.delay(subscription_id=subscription_id)
    return outcome.sent
