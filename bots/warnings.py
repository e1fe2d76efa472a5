"""What the builder warns a supervisor about (BOT-6): a bot may be saved in any of these states
(people build step by step), but each is something a customer would suffer."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from bots.definition import Level, depth, walk

MAX_COMFORTABLE_DEPTH = 4


@dataclass(frozen=True)
class Warning:
    text: str
    node_id: str = ""  # the level or option it is about, for a link in the tree


def warnings(tree: Level) -> list[Warning]:
    found: list[Warning] = []
    levels = walk(tree)
    options = [option for level in levels for option in level.options]
    if not any(option.assign for option in options):
        found.append(
            Warning(
                _(
                    "No option assigns an operator: customers can reach a person only by giving "
                    "three invalid answers."
                )
            )
        )
    if depth(tree) > MAX_COMFORTABLE_DEPTH:
        found.append(
            Warning(
                _("The bot is %(depth)d levels deep; customers give up past %(max)d.")
                % {"depth": depth(tree), "max": MAX_COMFORTABLE_DEPTH}
            )
        )
    for level in levels:
        if not level.question.strip():
            found.append(Warning(_("A level has no question."), level.id))
        if not level.options:
            found.append(
                Warning(
                    _("The level “%(question)s” has no options.") % {"question": level.question or "…"},
                    level.id,
                )
            )
    for option in options:
        if not option.label.strip():
            found.append(Warning(_("An option has no label."), option.id))
        if option.closing and not option.is_leaf:
            found.append(
                Warning(
                    _("“%(label)s” opens a deeper level, so its closing message is never sent.")
                    % {"label": option.label},
                    option.id,
                )
            )
    return found
