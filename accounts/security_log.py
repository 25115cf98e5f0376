"""Security events in the activity log: sign-ins, failures, lockouts and second-factor
changes. Every write of such an event goes through this module, so moving the log to
another store (an audit-log library) means changing this file only.

Django and django-axes announce sign-ins, failures and lockouts only by signals, so those
are connected here (connect(), called from AccountsConfig.ready); the second-factor and
unlock services call the record functions directly.
"""

from __future__ import annotations

from typing import Any

from axes.helpers import get_client_ip_address
from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models import Model
from django.http import HttpRequest

from audits.models import User

SIGNED_IN = "ログイン"
SIGNED_OUT = "ログアウト"
SIGN_IN_FAILED = "ログイン失敗"
LOCKED_OUT = "ログイン停止"
LOCK_LIFTED = "ログイン停止を解除"
SESSION_ENDED = "セッション期限切れ"
SECOND_FACTOR_ENROLLED = "二要素認証を設定"
SECOND_FACTOR_REMOVED = "二要素認証を解除"
SECOND_FACTOR_PASSED = "二要素認証に成功"
SECOND_FACTOR_FAILED = "二要素認証に失敗"
RECOVERY_CODE_USED = "回復コードを使用"
RECOVERY_CODES_RENEWED = "回復コードを再発行"
REPORT_DOWNLOADED = "報告書をダウンロード"
EVIDENCE_DOWNLOADED = "証跡ファイルをダウンロード"

# Every action this module writes: tests that compare the database before and after a
# request leave these out, since signing in is recorded by design.
ACTIONS = frozenset(
    {
        SIGNED_IN,
        SIGNED_OUT,
        SIGN_IN_FAILED,
        LOCKED_OUT,
        LOCK_LIFTED,
        SESSION_ENDED,
        SECOND_FACTOR_ENROLLED,
        SECOND_FACTOR_REMOVED,
        SECOND_FACTOR_PASSED,
        SECOND_FACTOR_FAILED,
        RECOVERY_CODE_USED,
        RECOVERY_CODES_RENEWED,
        REPORT_DOWNLOADED,
        EVIDENCE_DOWNLOADED,
    }
)

# The target id of an event about a login name that belongs to nobody.
NO_SUCH_USER = 0
_MAX_NAME = 150


def _address(request: HttpRequest | None) -> str:
    if request is None:
        return "不明"
    return get_client_ip_address(request) or "不明"


def _write(
    actor: User | None,
    action: str,
    subject_id: int,
    summary: str,
    *,
    model: type[Model] = User,
    details: dict[str, str] | None = None,
) -> None:
    """An explicit line (操作) of the audit log about a user, or about a login name that
    belongs to nobody (subject_id NO_SUCH_USER), or about another record (model)."""
    from django.contrib.contenttypes.models import ContentType

    from history.context import current_source
    from history.models import Action, LogEntry

    LogEntry.objects.create(
        content_type=ContentType.objects.get_for_model(model),
        object_pk=str(subject_id),
        object_id=subject_id,
        object_repr=summary[:300],
        action=Action.NOTE,
        activity=action,
        additional_data={"summary": summary[:300], **(details or {})},
        actor=actor,
        source=current_source(),
    )


def _about_user(actor: User | None, action: str, subject: User, summary: str) -> None:
    _write(actor, action, subject.pk, summary)


def _user_named(username: str | None) -> User | None:
    if not username:
        return None
    return User.objects.filter(username=username[:_MAX_NAME]).first()


# --- sign-in, from signals -------------------------------------------------------------------


def _on_signed_in(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    _about_user(user, SIGNED_IN, user, f"アドレス {_address(request)}")


def _on_signed_out(
    sender: Any, request: HttpRequest | None, user: User | None, **kwargs: Any
) -> None:
    if user is not None and user.pk is not None:
        _about_user(user, SIGNED_OUT, user, f"アドレス {_address(request)}")


def _on_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    username = str(credentials.get("username") or "")[:_MAX_NAME]
    user = _user_named(username)
    _write(
        None,
        SIGN_IN_FAILED,
        user.pk if user else NO_SUCH_USER,
        f"ログイン名 {username!r} アドレス {_address(request)}",
    )


def _on_locked_out(
    sender: Any, request: HttpRequest, username: str | None, ip_address: str | None, **kwargs: Any
) -> None:
    # Axes signals again on every failure while locked; the log keeps the moment it began.
    failures = getattr(request, "axes_failures_since_start", None)
    if failures is not None and failures != settings.AXES_FAILURE_LIMIT:
        return
    user = _user_named(username)
    _write(
        None,
        LOCKED_OUT,
        user.pk if user else NO_SUCH_USER,
        f"ログイン名 {str(username or '')[:_MAX_NAME]!r} アドレス {ip_address or '不明'}"
        f" ({settings.AXES_FAILURE_LIMIT}回失敗)",
    )


def connect() -> None:
    user_logged_in.connect(_on_signed_in, dispatch_uid="security_log.signed_in")
    user_logged_out.connect(_on_signed_out, dispatch_uid="security_log.signed_out")
    user_login_failed.connect(_on_failed, dispatch_uid="security_log.failed")
    user_locked_out.connect(_on_locked_out, dispatch_uid="security_log.locked_out")


# --- called by the services and the middleware ------------------------------------------------


def lock_lifted(actor: User, *, username: str | None = None, address: str | None = None) -> None:
    user = _user_named(username)
    what = f"ログイン名 {username!r}" if username else f"アドレス {address}"
    _write(actor, LOCK_LIFTED, user.pk if user else NO_SUCH_USER, what)


def session_ended(user: User, reason: str) -> None:
    _about_user(user, SESSION_ENDED, user, reason)


def second_factor_enrolled(user: User) -> None:
    _about_user(user, SECOND_FACTOR_ENROLLED, user, "認証アプリを登録し、回復コードを発行")


def second_factor_removed(actor: User, user: User) -> None:
    _about_user(actor, SECOND_FACTOR_REMOVED, user, str(user))


def second_factor_passed(user: User, request: HttpRequest) -> None:
    _about_user(user, SECOND_FACTOR_PASSED, user, f"アドレス {_address(request)}")


def second_factor_failed(user: User, request: HttpRequest) -> None:
    _about_user(user, SECOND_FACTOR_FAILED, user, f"アドレス {_address(request)}")


def recovery_code_used(user: User, remaining: int) -> None:
    _about_user(user, RECOVERY_CODE_USED, user, f"残り {remaining} 件")


def recovery_codes_renewed(user: User) -> None:
    _about_user(user, RECOVERY_CODES_RENEWED, user, str(user))


# --- downloads, called by the views that send the files ---------------------------------------


def report_downloaded(
    user: User,
    request: HttpRequest,
    *,
    report: str,
    format_label: str,
    filename: str,
    selection: str,
) -> None:
    """A 措置状況 or 監査報告書 file sent to `user`: which report, format, file name and
    selection (also the query as sent), from which address. The line is about the user
    who downloaded, as sign-ins are."""
    summary = f"{report} {format_label}「{filename}」 条件: {selection or '全件'} アドレス {_address(request)}"
    _write(
        user,
        REPORT_DOWNLOADED,
        user.pk,
        summary,
        details={"file": filename[:300], "query": request.GET.urlencode()[:1000]},
    )


def evidence_downloaded(user: User, request: HttpRequest, evidence: Model) -> None:
    """An evidence file sent to `user`; the line is about the file (kind 証跡ファイル), so
    the log's filter by record finds every download of it."""
    name = str(getattr(evidence, "original_name", evidence))
    finding_id = getattr(getattr(evidence, "entry", None), "finding_id", "")
    _write(
        user,
        EVIDENCE_DOWNLOADED,
        int(evidence.pk),
        f"「{name}」（指摘事項 {finding_id}） アドレス {_address(request)}",
        model=type(evidence),
        details={"file": name[:300]},
    )
