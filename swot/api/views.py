"""REST endpoints of SWOT boards. They call the same services as the websocket, so a script's changes
are numbered, logged and broadcast like a browser's."""

from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.permissions import Capability, MunicipalityScoped, municipality_for
from swot import selectors, services
from swot.access import Actor, actor_for_user
from swot.api.serializers import (
    ActionResultSerializer,
    ActionSerializer,
    BoardSerializer,
    BoardSettingsSerializer,
    CardCreateSerializer,
    CardUpdateSerializer,
    InviteCreateSerializer,
    InviteSerializer,
    MeasureSerializer,
)
from swot.dispatch import action_run
from swot.errors import BoardError
from swot.models import Board, Invite, Measure
from swot.payloads import card_dict
from swot.presenters import present_card

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
    if "card" in data and actor is not None and board is not None:
        data["card"] = present_card(
            data["card"], viewer_id=actor.participant.pk, facilitator=actor.is_facilitator,
            visibility=board.visibility(),
        )  # fmt: skip
    return Response(data, status=HTTP_STATUS.get(exc.code, status.HTTP_400_BAD_REQUEST))


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

    @extend_schema(request=CardCreateSerializer, responses={201: OpenApiTypes.OBJECT})
    @action(detail=True, methods=["post"], url_path="cards")
    def cards(self, request, slug=None, pk=None):
        """Add a card (participants; in the collect phase unless facilitating)."""
        board, actor = self._actor()
        serializer = CardCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            card = services.card_create(board_id=board.pk, actor=actor, **serializer.validated_data)
        except BoardError as exc:
            return _error(exc)
        return Response(self._present(card, actor, board), status=status.HTTP_201_CREATED)

    def _present(self, card, actor: Actor, board: Board) -> dict:
        board.refresh_from_db()
        return present_card(
            card_dict(card), viewer_id=actor.participant.pk, facilitator=actor.is_facilitator,
            visibility=board.visibility(),
        )  # fmt: skip

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
                services.card_delete(board_id=board.pk, actor=actor, card_id=card_id)
                return Response(status=status.HTTP_204_NO_CONTENT)
            serializer = CardUpdateSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            card = services.card_update(
                board_id=board.pk, actor=actor, card_id=card_id, **serializer.validated_data
            )
        except BoardError as exc:
            return _error(exc, actor, board)
        return Response(self._present(card, actor, board))

    @extend_schema(request=ActionSerializer, responses={200: ActionResultSerializer})
    @action(detail=True, methods=["post"])
    def actions(self, request, slug=None, pk=None):
        """Run any websocket message (``type`` plus its fields, see docs/swot-protocol.md)."""
        board, actor = self._actor()
        if not isinstance(request.data, dict):
            return Response({"code": "invalid", "message": "JSON object expected"}, status=400)
        try:
            return Response(action_run(actor, dict(request.data)))
        except BoardError as exc:
            return _error(exc, actor, board)

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
