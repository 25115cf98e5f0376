"""Sending the daily digests: one mail per person per day at most, recorded as it is sent.

Each digest is sent inside the transaction that inserts its DigestSent row. The unique
(user, day) key decides who sends: a second run the same day, or a second worker at the
same moment (PostgreSQL makes it wait for the first one's commit), fails the insert and
sends nothing. A mail the server refuses rolls its row back, so the next run tries again.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction

from audits.models import User
from reminders.digests import Digest, DigestPlanner, recipients
from reminders.models import DigestSent

logger = logging.getLogger(__name__)


@dataclass
class DigestRun:
    """What a run did (or, dry, would do) for the day."""

    day: datetime.date
    dry_run: bool
    sent: list[Digest] = field(default_factory=list)  # dry run: would be sent
    already_sent: list[User] = field(default_factory=list)
    no_address: list[Digest] = field(default_factory=list)
    failed: list[tuple[Digest, str]] = field(default_factory=list)
    quiet: list[User] = field(default_factory=list)  # nothing to tell them

    def counts(self) -> dict[str, int]:
        return {
            "sent": len(self.sent),
            "already_sent": len(self.already_sent),
            "no_address": len(self.no_address),
            "failed": len(self.failed),
            "quiet": len(self.quiet),
        }


def build_message(digest: Digest) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=digest.subject,
        body=digest.render_text(),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[digest.address],
    )
    message.attach_alternative(digest.render_html(), "text/html")
    return message


def send_digests(day: datetime.date, *, dry_run: bool = False) -> DigestRun:
    """Send (or, with dry_run, only build) every digest of `day`. A dry run sends and
    records nothing."""
    run = DigestRun(day, dry_run)
    done = set(DigestSent.objects.filter(day=day).values_list("user_id", flat=True))
    planner = DigestPlanner(day)
    for user in recipients():
        if user.pk in done:
            run.already_sent.append(user)
            continue
        digest = planner.for_user(user)
        if digest is None:
            run.quiet.append(user)
        elif not digest.address:
            run.no_address.append(digest)
        elif dry_run:
            run.sent.append(digest)
        else:
            _send_once(digest, run)
    return run


def _send_once(digest: Digest, run: DigestRun) -> None:
    try:
        with transaction.atomic():
            DigestSent.objects.create(
                user=digest.user,
                day=digest.day,
                kind=digest.kind,
                summary=digest.summary,
                address=digest.address,
            )
            build_message(digest).send()
    except IntegrityError:
        # Another run recorded this person's digest for the day first.
        run.already_sent.append(digest.user)
    except Exception as error:  # the mail server refused or was unreachable
        logger.exception("Digest for user %s on %s not sent", digest.user.pk, digest.day)
        run.failed.append((digest, f"{type(error).__name__}: {error}"))
    else:
        run.sent.append(digest)
