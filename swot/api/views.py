"""REST endpoints of SWOT boards. They call the same services as the websocket, so a script's changes
are numbered, logged and broadcast like a browser's."""

from django.http import Http404, QueryDict
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import (
    action,
    api_view,
    authentication_classes,
    permission_classes,
    throttle_classes,
)
from rest_framework.exceptions import ParseError
from rest_framework.generics import get_object_or_404
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle

from core.permissions import Capability, MunicipalityScoped, municipality_for
from swot import selectors, services
from swot.access import Actor, actor_for_user, guest_token
from swot.api.serializers import (
    ActionResultSerializer,
    ActionSerializer,
    BoardSerializer,
    BoardSettingsSerializer,
    CardCreateSerializer,
    CardUpdateSerializer,
    GuestJoinResultSerializer,
    GuestJoinSerializer,
    InviteCreateSerializer,
    InviteSerializer,
    MeasureSerializer,
)
from swot.dispatch import action_run
from swot.errors import BoardError
from swot.models import Board, Invite, Measure
from swot.presenters import Viewer, present_card, present_error

HTTP_STATUS = {
    BoardError.FORBIDDEN: status.HTTP_403_FORBIDDEN,
    BoardError.NOT_FOUND: status.HTTP_404_NOT_FOUND,
    BoardError.CONFLICT: status.HTTP_409_CONFLICT,
    BoardError.WRONG_PHASE: status.HTTP_409_CONFLICT,
    BoardError.BUDGET: status.HTTP_409_CONFLICT,
    BoardError.LOCKED: status.HTTP_423_LOCKED,
    BoardError.INVALID: status.HTTP_400_BAD_REQUEST,
}


def _error(exc: BoardError, actor: Actor | None = None, board: Board | None = None) -> Response:
    data = exc.as_dict()
    if actor is not None and board is not None:
        board.refresh_from_db()
        data = present_error(data, Viewer.of(actor, board.visibility()))
    elif "card" in data:
        data.pop("card")  # never unpresented
    return Response(data, status=HTTP_STATUS.get(exc.code, status.HTTP_400_BAD_REQUEST))


def _body(request) -> dict:
    """The request's JSON object; a form body, a list or a scalar is ``invalid`` (400), never a 500.

    JSON the strict parser refuses (NaN, NUL characters, deep nesting: ``core.api.parsers``) is
    ``invalid`` too, in the protocol's error shape."""
    try:
        data = request.data
    except ParseError as exc:
        raise BoardError(BoardError.INVALID, str(exc.detail)) from None
    if isinstance(data, QueryDict) or not isinstance(data, dict):
        raise BoardError(
            BoardError.INVALID, _("Erwartet wird ein JSON-Objekt (Content-Type: application/json).")
        )
    return dict(data)


class BoardViewSet(
    MunicipalityScoped, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):  # fmt: skip
    """SWOT boards of a municipality: create and steer workshops, add cards, invite guests."""

    serializer_class = BoardSerializer
    write_capability = Capability.PARTICIPATE  # finer checks (facilitation, ownership) in the services
    queryset = Board.objects.none()

    def municipality_queryset(self):
        return selectors.boards_for(self.municipality).select_related("municipality")

    def _actor(self) -> tuple[Board, Actor]:
        board = get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])
        actor = actor_for_user(board, self.request.user)
        if actor is None:
            raise Http404
        return board, actor

    @extend_schema(request=BoardSerializer, responses={201: BoardSerializer})
    def create(self, request, slug=None):
        """Create a board (facilitators)."""
        municipality = municipality_for(request.user, slug, Capability.FACILITATE)
        serializer = BoardSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        board = services.board_create(
            municipality=municipality, created_by=request.user, **serializer.validated_data
        )
        return Response(BoardSerializer(board).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=BoardSettingsSerializer, responses=BoardSerializer)
    def partial_update(self, request, slug=None, pk=None):
        """Change board settings (facilitators)."""
        board, actor = self._actor()
        serializer = BoardSettingsSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            board = services.board_update_settings(
                board_id=board.pk, actor=actor, **serializer.validated_data
            )
        except BoardError as exc:
            return _error(exc)
        return Response(BoardSerializer(board).data)

    @extend_schema(responses=OpenApiTypes.OBJECT, summary="Snapshot of the board as the caller sees it")
    @action(detail=True, methods=["get"])
    def snapshot(self, request, slug=None, pk=None):
        board, actor = self._actor()
        return Response(selectors.board_snapshot(board, actor))

    @extend_schema(
        parameters=[OpenApiParameter("since", int, description="last sequence number the caller has")],
        responses=OpenApiTypes.OBJECT,
        summary="Events after a sequence number (or a snapshot when too far behind)",
    )
    @action(detail=True, methods=["get"])
    def events(self, request, slug=None, pk=None):
        board, actor = self._actor()
        try:
            since = int(request.query_params.get("since", "0"))
        except ValueError:
            since = -1
        events = selectors.events_since(board, since, actor)
        if events is None:
            return Response({"type": "snapshot", **selectors.board_snapshot(board, actor)})
        return Response({"type": "events", "since": since, "events": events})

    def _present(self, card: dict, actor: Actor, board: Board) -> dict:
        board.refresh_from_db()
        return present_card(card, Viewer.of(actor, board.visibility()))

    @extend_schema(request=CardCreateSerializer, responses={201: OpenApiTypes.OBJECT})
    @action(detail=True, methods=["post"], url_path="cards")
    def cards(self, request, slug=None, pk=None):
        """Add a card (participants; in the collect phase unless facilitating). Same as ``card.create``."""
        board, actor = self._actor()
        try:
            result = action_run(actor, {**_body(request), "type": "card.create"})
        except BoardError as exc:
            return _error(exc, actor, board)
        return Response(self._present(result["card"], actor, board), status=status.HTTP_201_CREATED)

    @extend_schema(
        methods=["PATCH"],
        request=CardUpdateSerializer,
        responses={200: OpenApiTypes.OBJECT, 409: OpenApiTypes.OBJECT},
    )
    @extend_schema(methods=["DELETE"], request=None, responses={204: None})
    @action(detail=True, methods=["patch", "delete"], url_path=r"cards/(?P<card_id>\d+)")
    def card(self, request, slug=None, pk=None, card_id=None):
        """Edit a card at a known version (409 with the current card when stale), or delete it."""
        board, actor = self._actor()
        try:
            if request.method == "DELETE":
                action_run(actor, {"type": "card.delete", "card_id": card_id})
                return Response(status=status.HTTP_204_NO_CONTENT)
            result = action_run(actor, {**_body(request), "type": "card.update", "card_id": card_id})
        except BoardError as exc:
            return _error(exc, actor, board)
        return Response(self._present(result["card"], actor, board))

    @extend_schema(request=ActionSerializer, responses={200: ActionResultSerializer})
    @action(detail=True, methods=["post"])
    def actions(self, request, slug=None, pk=None):
        """Run any websocket message (``type`` plus its fields, see docs/swot-protocol.md)."""
        board, actor = self._actor()
        try:
            result = action_run(actor, _body(request))
        except BoardError as exc:
            return _error(exc, actor, board)
        if "card" in result:
            result["card"] = self._present(result["card"], actor, board)
        return Response(result)

    @extend_schema(methods=["GET"], responses=InviteSerializer(many=True))
    @extend_schema(methods=["POST"], request=InviteCreateSerializer, responses={201: InviteSerializer})
    @action(detail=True, methods=["get", "post"])
    def invites(self, request, slug=None, pk=None):
        """Guest invites of the board (facilitators)."""
        board, actor = self._actor()
        if not actor.is_facilitator:
            return Response({"code": BoardError.FORBIDDEN}, status=status.HTTP_403_FORBIDDEN)
        if request.method == "GET":
            page = self.paginate_queryset(selectors.invites_of(board).select_related("board__municipality"))
            return self.get_paginated_response(InviteSerializer(page, many=True).data)
        serializer = InviteCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        invite = services.invite_create(
            board_id=board.pk, actor=actor, created_by=request.user, **serializer.validated_data
        )
        return Response(InviteSerializer(invite).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=InviteSerializer)
    @action(detail=True, methods=["post"], url_path=r"invites/(?P<invite_id>\d+)/revoke")
    def revoke_invite(self, request, slug=None, pk=None, invite_id=None):
        """Revoke an invite: its guests are disconnected and refused from now on."""
        board, actor = self._actor()
        try:
            services.invite_revoke(board_id=board.pk, actor=actor, invite_id=int(invite_id))
        except BoardError as exc:
            return _error(exc)
        return Response(
            InviteSerializer(Invite.objects.select_related("board__municipality").get(pk=invite_id)).data
        )


class MeasureViewSet(MunicipalityScoped, viewsets.ReadOnlyModelViewSet):
    """Measures of a municipality made from selected TOWS strategies."""

    serializer_class = MeasureSerializer
    filterset_fields = ["status", "budget_product_code"]
    queryset = Measure.objects.none()

    def municipality_queryset(self):
        return selectors.measures_for(self.municipality).order_by("deadline", "title", "id")


class GuestJoinThrottle(AnonRateThrottle):
    """Joining needs no account: bound how fast one address may try codes."""

    scope = "swot-join"
    rate = "30/minute"


@extend_schema(
    request=GuestJoinSerializer,
    responses={201: GuestJoinResultSerializer, 404: OpenApiTypes.OBJECT},
    summary="Join a board as a guest with an invite code (no account)",
)
@api_view(["POST"])
@authentication_classes([])
@permission_classes([AllowAny])
@throttle_classes([GuestJoinThrottle])
def guest_join(request):
    """A guest joins by invite code and display name and receives the guest credential of the board.

    The credential (``guest_token``) opens the board's websocket (``Authorization: Guest <token>`` or
    ``?guest=<token>``) and is valid while the invite is neither revoked nor expired and the guest not
    excluded. REST endpoints do not accept it: guests act over the websocket.
    """
    serializer = GuestJoinSerializer(data=request.data)
    serializer.is_valid(raise_exception=True)
    try:
        participant = services.guest_join(**serializer.validated_data)
    except BoardError as exc:
        return _error(exc)
    invite = participant.invite
    board = participant.board
    data = {
        "board": {"id": board.pk, "title": board.title, "municipality": board.municipality.slug},
        "participant": {"id": participant.pk, "name": participant.display_name},
        "guest_token": guest_token(participant),
        "ws_path": f"/ws/swot/boards/{board.pk}/",
        "expires_at": invite.expires_at,
    }
    return Response(GuestJoinResultSerializer(data).data, status=status.HTTP_201_CREATED)
