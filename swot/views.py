"""Pages of the swot app: board list, the live board, guest join, history, invites, exports."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.models import Job
from core.permissions import Capability, capabilities_of, municipality_required
from swot import exports, selectors, services
from swot.access import (
    Actor,
    actor_for_guest,
    actor_for_user,
    guest_cookie_name,
    guest_participant_id,
    guest_token,
)
from swot.errors import BoardError
from swot.forms import BoardForm, GuestJoinForm, InviteForm
from swot.labels import board_labels
from swot.models import Board, Quadrant


@municipality_required()
def index(request, municipality):
    """The municipality's boards; facilitators create new ones here."""
    can_facilitate = Capability.FACILITATE in request.capabilities
    return render(
        request,
        "swot/index.html",
        {
            "municipality": municipality,
            "boards": selectors.boards_for(municipality),
            "form": BoardForm() if can_facilitate else None,
            "measures_count": selectors.measures_for(municipality).count(),
        },
    )


@require_POST
@municipality_required(Capability.FACILITATE)
def board_new(request, municipality):
    form = BoardForm(request.POST)
    if not form.is_valid():
        boards = selectors.boards_for(municipality)
        return render(
            request, "swot/index.html", {"municipality": municipality, "boards": boards, "form": form}
        )
    board = services.board_create(municipality=municipality, created_by=request.user, **form.cleaned_data)
    return redirect(board)


@municipality_required()
def measures(request, municipality):
    """Measures made from selected TOWS strategies."""
    return render(
        request,
        "swot/measures.html",
        {"municipality": municipality, "measures": selectors.measures_for(municipality)},
    )


def _board_actor(
    request, slug: str, pk: int, *, capability: Capability = Capability.VIEW
) -> tuple[Board, Actor]:
    """Members by session (core.permissions), guests by their signed cookie; 404 for everyone else."""
    board = get_object_or_404(Board.objects.select_related("municipality"), pk=pk, municipality__slug=slug)
    actor = actor_for_user(board, request.user)
    if actor is not None:
        request.municipality = board.municipality
        request.capabilities = capabilities_of(request.user, board.municipality)
    else:
        token = request.COOKIES.get(guest_cookie_name(board.pk))
        actor = actor_for_guest(board, guest_participant_id(token, board.pk)) if token else None
    if actor is None:
        raise Http404
    if capability not in actor.capabilities:
        raise PermissionDenied
    return board, actor


def _login_or_404(view):
    """Anonymous visitors without a guest cookie are sent to the login page instead of a 404."""

    def wrapped(request, slug, pk, *args, **kwargs):
        try:
            return view(request, slug, pk, *args, **kwargs)
        except Http404:
            if not request.user.is_authenticated and not request.COOKIES.get(guest_cookie_name(pk)):
                return redirect_to_login(request.get_full_path())
            raise

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


@_login_or_404
def board(request, slug, pk):
    """The live board (server-rendered shell; static/swot/board.js draws and syncs it)."""
    board, actor = _board_actor(request, slug, pk)
    snapshot = selectors.board_snapshot(board, actor)
    context = {
        "board": board,
        "municipality": board.municipality,
        "actor": actor,
        "snapshot": snapshot,
        "labels": board_labels(),
        "quadrants": Quadrant.choices,
        "config": {
            "boardId": board.pk,
            "wsPath": f"/ws/swot/boards/{board.pk}/",
            "participantId": actor.participant.pk,
            "capabilities": sorted(str(c) for c in actor.capabilities),
            "guest": actor.is_guest,
        },
    }
    return render(request, "swot/board.html", context)


def join(request, slug, code):
    """Guests join by invite link or code with a display name, no account."""
    invite = services.invite_find(code)
    if invite is None or invite.board.municipality.slug != slug:
        return render(request, "swot/join_invalid.html", status=404)
    form = GuestJoinForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            participant = services.guest_join(
                code=invite.code, display_name=form.cleaned_data["display_name"]
            )
        except BoardError as exc:
            form.add_error(None, exc.message)
        else:
            response = redirect(invite.board)
            response.set_cookie(
                guest_cookie_name(invite.board_id),
                guest_token(participant),
                max_age=int((invite.expires_at - participant.created_at).total_seconds()),
                httponly=True,
                samesite="Lax",
                secure=not settings.DEBUG and request.is_secure(),
            )
            return response
    return render(request, "swot/join.html", {"invite": invite, "board": invite.board, "form": form})


@_login_or_404
def history(request, slug, pk):
    """Who changed what and when; deleted cards and earlier texts can be restored here."""
    board, actor = _board_actor(request, slug, pk)
    context = selectors.history_for(board, actor)  # through the board's presenter
    context.update(
        board=board, municipality=board.municipality, actor=actor, can_restore=actor.is_facilitator
    )
    return render(request, "swot/history.html", context)


@require_POST
@_login_or_404
def history_restore(request, slug, pk):
    """Restore a deleted card or a card's text from an earlier event (facilitators)."""
    board, actor = _board_actor(request, slug, pk, capability=Capability.FACILITATE)
    try:
        if request.POST.get("seq"):
            services.card_revert(board_id=board.pk, actor=actor, card_id=request.POST.get("card_id"),
                                 seq=request.POST["seq"])  # fmt: skip
        else:
            services.card_restore(board_id=board.pk, actor=actor, card_id=request.POST.get("card_id"))
        messages.success(request, _("Die Karte wurde wiederhergestellt."))
    except BoardError as exc:
        messages.error(request, exc.message)
    return redirect("swot:history", slug=slug, pk=pk)


@_login_or_404
def invites(request, slug, pk):
    """Create and revoke guest invites (facilitators)."""
    board, actor = _board_actor(request, slug, pk, capability=Capability.FACILITATE)
    form = InviteForm(request.POST or None)
    if request.method == "POST":
        try:
            if "revoke" in request.POST:
                services.invite_revoke(board_id=board.pk, actor=actor, invite_id=int(request.POST["revoke"]))
                messages.success(request, _("Die Einladung wurde widerrufen."))
            elif form.is_valid():
                invite = services.invite_create(board_id=board.pk, actor=actor, **form.cleaned_data)
                messages.success(request, _("Einladung %(code)s erstellt.") % {"code": invite.code})
        except (BoardError, ValueError) as exc:
            messages.error(request, getattr(exc, "message", str(exc)))
        else:
            if form.is_valid() or "revoke" in request.POST:
                return redirect("swot:invites", slug=slug, pk=pk)
    invite_list = [
        (invite, request.build_absolute_uri(reverse("swot:join", kwargs={"slug": slug, "code": invite.code})))
        for invite in selectors.invites_of(board)
    ]
    return render(
        request,
        "swot/invites.html",
        {"board": board, "municipality": board.municipality, "invites": invite_list, "form": form},
    )


@_login_or_404
def export_record(request, slug, pk):
    """The workshop record: a print-friendly page (print to PDF in the browser)."""
    board, actor = _board_actor(request, slug, pk)
    return HttpResponse(exports.record_html(board, actor, request=request))


@_login_or_404
def export_csv(request, slug, pk):
    board, actor = _board_actor(request, slug, pk)
    response = HttpResponse(exports.board_csv(board, actor), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="swot-board-{board.pk}.csv"'
    return response


@require_POST
@_login_or_404
def export_start(request, slug, pk, fmt):
    """Start the PDF/PNG export in the background (headless Chromium renders the record)."""
    board, actor = _board_actor(request, slug, pk)
    if actor.is_guest or fmt not in exports.BINARY_FORMATS:
        raise Http404
    job = services.board_export_start(board=board, fmt=fmt, user=request.user)
    return redirect("swot:export-job", slug=slug, pk=pk, job_id=job.pk)


def _own_export(request, board: Board, job_id: int, **filters) -> Job:
    """An export job of ``board`` requested by this user: a PDF/PNG shows the board as its requester
    saw it (face-down cards, names), so it belongs to them alone; everyone else gets a 404."""
    if not request.user.is_authenticated:
        raise Http404
    job = get_object_or_404(
        Job, pk=job_id, kind="swot.export", municipality=board.municipality, requested_by=request.user,
        **filters,
    )  # fmt: skip
    if job.params.get("board_id") != board.pk:
        raise Http404
    return job


@_login_or_404
def export_job(request, slug, pk, job_id):
    """Progress of an export job, with the download link once it has finished (its requester only)."""
    board, _actor = _board_actor(request, slug, pk)
    job = _own_export(request, board, job_id)
    return render(
        request, "swot/export_job.html", {"board": board, "municipality": board.municipality, "job": job}
    )


@_login_or_404
def export_download(request, slug, pk, job_id):
    """The finished PDF/PNG, for the user who requested it only."""
    board, _actor = _board_actor(request, slug, pk)
    job = _own_export(request, board, job_id, status=Job.Status.SUCCEEDED)
    path = exports.export_path(job)
    if not path.exists():
        raise Http404
    return FileResponse(path.open("rb"), as_attachment=True, filename=path.name)
