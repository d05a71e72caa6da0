"""Slash commands, the greeting and deep links, /profile, /language, /forget, and menus.

Every command works from every step; each answer ends with buttons, so the citizen always has
a way forward.
"""

from __future__ import annotations

from dataclasses import replace

from bot.engine import alerts, followups, offers, questions, results
from bot.engine.context import Context, ForgetUser, Outcome, Record, SetLanguage, tr_of
from bot.engine.replies import Button, Reply, in_rows
from bot.engine.state import Answers, Conversation, Step
from catalog.i18n import LANGUAGE_NAMES, LANGUAGES, N_, normalise_language
from catalog.stats.facts import Kind
from catalog.vocabulary import AUDIENCES, MISSIONS, TOPICS

# The commands, in the order /help lists them; front ends register them (setMyCommands).
COMMANDS: tuple[tuple[str, str], ...] = (
    ("start", N_("Start again from the first question")),
    ("search", N_("Search in your own words, for example: /search cooking")),
    ("profile", N_("See and change your answers")),
    ("favorites", N_("Your saved offers")),
    ("alerts", N_("New offers that fit you, at most once a week: /alerts on or off")),
    ("followups", N_("How did an offer go? I ask once, ten days later: /followups on or off")),
    ("propose", N_("Propose learning offers for the catalogue")),
    ("language", N_("Change the language")),
    ("privacy", N_("What I keep about you, and why")),
    ("forget", N_("Erase everything I know about you")),
    ("help", N_("What I can do")),
    ("cancel", N_("Stop the questions")),
)
# Other spellings citizens type.
ALIASES: dict[str, str] = {
    "favourites": "favorites", "favoris": "favorites", "aide": "help", "langue": "language",
    "recherche": "search", "chercher": "search", "profil": "profile", "annuler": "cancel",
    "oublier": "forget", "confidentialite": "privacy", "alertes": "alerts",
    "suivi": "followups",
}

# A deep link to a mission pre-selects the topics that mostly serve it.
MISSION_TOPICS: dict[str, tuple[str, ...]] = {
    "inclusive": ("literacy", "french", "citizenship"),
    "family": ("parenting", "reading"),
    "workplace": ("career", "entrepreneurship"),
    "digital": ("digital",),
    "quality": ("science", "languages"),
    "lifelong": ("arts", "music", "history"),
}


def menu(state: Conversation) -> tuple[Button, ...]:
    """The buttons that lead somewhere from anywhere."""
    tr = tr_of(state)
    return (
        Button(tr.gettext("Answer the questions"), "go:refine"),
        Button(tr.gettext("See offers"), "go:results"),
        Button(tr.gettext("My saved offers"), "go:favs"),
    )


def here(state: Conversation, ctx: Context) -> tuple[Reply, ...]:
    """Where the citizen is, shown again: the current question, or what to do next."""
    tr = tr_of(state)
    if state.step in questions.QUESTIONS:
        return (questions.prompt(state, ctx),)
    if state.step == Step.RESULTS:
        return (results.footer(state, ctx, tr.gettext("What would you like to do next?")),)
    answer, see, saved = menu(state)
    rows = ((answer, see), (saved, Button(tr.gettext("Help"), "go:help")))
    return (Reply(tr.gettext("Type what you would like to learn, or choose:"), buttons=rows),)


def greeting(state: Conversation, ctx: Context) -> Reply:
    """Hello, one line on privacy, and the promise of a few skippable questions."""
    tr = tr_of(state)
    return Reply("\n".join((
        tr.gettext("Hello! I am Tremplin. I help you find ways to learn in {city}: courses, "
                   "workshops, clubs, many of them free.").format(city=ctx.city),
        tr.gettext("I keep only your answers, to find offers for you. /privacy tells you more."),
        tr.gettext("A few quick questions follow; you can skip any of them."),
    )))


def start(state: Conversation, payload: str | None, ctx: Context, *, greet: bool = True) -> Outcome:
    """A fresh start: answers cleared (saved offers and language kept), first question."""
    tr = tr_of(state)
    fresh = Conversation(step=Step.WHO, language=state.language, greeted=True)
    before: list[Reply] = [greeting(fresh, ctx)] if greet else [
        Reply(tr.gettext("Let us start again. Your saved offers are kept."))]
    kind, _, value = (payload or "").partition("-")
    via = "start" if greet else "restart"
    if kind == "topic" and value in TOPICS:
        fresh = fresh.with_answers(topics=(value,))
        before.append(Reply(tr.gettext("You are looking for: {topic}.").format(
            topic=tr.gettext(TOPICS[value]))))
        via = "topic"
    elif kind == "mission" and value in MISSIONS:
        # In vocabulary order, like every selection (equal answers are equal states).
        fresh = fresh.with_answers(
            topics=tuple(code for code in TOPICS if code in MISSION_TOPICS[value]))
        before.append(Reply(tr.gettext("Theme: {mission}.").format(
            mission=tr.gettext(MISSIONS[value]))))
        via = "mission"
    elif kind == "offer" and (offer := ctx.index.get(value)) is not None:
        before.append(offers.details(fresh, offer, ctx).replies[0])
        via = "offer"
    started = Record(Kind.STARTED, {"via": via})
    return questions.ask(fresh, ctx, *before).after(effects=(started,))


def show_help(state: Conversation, ctx: Context, *before: Reply) -> Outcome:
    """Every command, and the invitation to type freely."""
    tr = tr_of(state)
    lines = [tr.gettext("Here is what I can do:")]
    lines += [f"/{name} — {tr.gettext(description)}" for name, description in COMMANDS]
    lines.append(tr.gettext("At any time you can also type what you would like to learn, "
                            "for example: “cooking class”."))
    return Outcome(state, (*before, Reply("\n".join(lines), buttons=(menu(state),))))


def privacy(state: Conversation, ctx: Context) -> Outcome:
    """What is kept, why, for how long, and how to erase it."""
    tr = tr_of(state)
    text = "\n".join((
        tr.gettext("What I keep: your answers to the questions, the offers you save, your "
                   "language, and the dates of your first and last message, linked to your "
                   "Telegram account number. Never your name or phone number."),
        tr.gettext("Why: only to find offers for you. Answers about disability or being new "
                   "in France are always optional."),
        tr.gettext("Statistics count uses without names, and never show small groups."),
        tr.gettext("Alerts (/alerts) are off unless you turn them on.") + " " + tr.gettext(
            alerts.KEPT),
        tr.gettext(followups.KEPT),
        tr.gettext("How long: your answers and the words you typed are erased after {days} "
                   "days without a message from you; everything else stays until you erase it. "
                   "/forget erases everything, at once.").format(days=ctx.retention_days),
        tr.gettext("Phone numbers, e-mail addresses and links in what you type are never "
                   "kept."),
        tr.gettext("Questions: {contact}.").format(contact=ctx.contact or ctx.city),
    ))
    return Outcome(state, (Reply(text, buttons=(
        (Button(tr.gettext("Erase my data"), "go:forget"),), menu(state))),))


def ask_forget(state: Conversation) -> Outcome:
    """Ask to confirm erasing everything."""
    tr = tr_of(state)
    text = tr.gettext("Erase everything I know about you: your answers, your saved offers and "
                      "your language? This cannot be undone.")
    buttons = ((Button(tr.gettext("Yes, erase everything"), "forget:yes"),
                Button(tr.gettext("No, keep it"), "forget:no")),)
    return Outcome(replace(state, pending="forget"), (Reply(text, buttons=buttons),))


def confirm_forget(state: Conversation, ctx: Context, answer: str) -> Outcome | None:
    """The answer to :func:`ask_forget`; ``None`` when nothing awaits confirmation."""
    if state.pending != "forget" or answer not in ("yes", "no"):
        return None
    tr = tr_of(state)
    if answer == "no":
        kept = replace(state, pending=None)
        return Outcome(kept, (Reply(tr.gettext("Nothing was erased.")), *here(kept, ctx)))
    erased = Conversation(language=state.language)
    text = tr.gettext("Done: I erased everything I knew about you. Send /start to begin again.")
    reply = Reply(text, buttons=((Button(tr.gettext("Start again"), "go:start"),),))
    return Outcome(erased, (reply,), (ForgetUser(),))


def language_menu(state: Conversation) -> Outcome:
    """The languages, each named in itself."""
    tr = tr_of(state)
    buttons = [Button(("✓ " if code == state.language else "") + LANGUAGE_NAMES[code],
                      f"lang:{code}") for code in LANGUAGES]
    return Outcome(state, (Reply(tr.gettext("Choose your language:"), buttons=in_rows(buttons)),))


def set_language(state: Conversation, code: str, ctx: Context) -> Outcome:
    """Speak ``code`` from now on, and show where the citizen was in that language."""
    changed = replace(state, language=code)
    tr = tr_of(changed)
    said = Reply(tr.gettext("From now on I will write in {language}.").format(
        language=LANGUAGE_NAMES[code]))
    return Outcome(changed, (said, *here(changed, ctx)), (SetLanguage(code),))


def language(state: Conversation, argument: str, ctx: Context) -> Outcome:
    """``/language`` alone shows the choices; ``/language en`` (or ``English``) sets it."""
    wanted = argument.strip().casefold()
    for code, name in LANGUAGE_NAMES.items():
        if wanted and wanted in (code, name.casefold()):
            return set_language(state, code, ctx)
    if wanted and normalise_language(wanted) == wanted:
        return set_language(state, wanted, ctx)
    return language_menu(state)


def _where_text(answers: Answers, state: Conversation, ctx: Context) -> str:
    tr = tr_of(state)
    if answers.where == "location" and answers.location:
        return tr.gettext("Near the place you shared")
    if answers.where == "neighbourhood" and answers.neighbourhood:
        return answers.neighbourhood
    if answers.where in ("online", "anywhere"):
        return tr.gettext(questions.WHERE_LABELS[answers.where]).format(city=ctx.city)
    return ""


def profile(state: Conversation, ctx: Context) -> Outcome:
    """The answers so far, each with a button to change it."""
    tr = tr_of(state)
    answers = state.answers
    unanswered = tr.gettext("not answered")
    age = ""
    if answers.age_bracket in questions.AGE_LABELS:
        age = tr.gettext(questions.AGE_LABELS[answers.age_bracket])
    elif answers.age is not None:
        age = str(answers.age)
    rows = [
        (tr.gettext("Who it is for"),
         tr.gettext(questions.WHO_LABELS[answers.who]) if answers.who else ""),
        (tr.gettext("Your age"), age),
        (tr.gettext("Situation"), ", ".join(tr.gettext(AUDIENCES[c]) for c in answers.situations)),
        (tr.gettext("Interests"), ", ".join(tr.gettext(TOPICS[c]) for c in answers.topics)),
        (tr.gettext("Your words"), f"“{answers.text}”" if answers.text else ""),
        (tr.gettext("Where"), _where_text(answers, state, ctx)),
        (tr.gettext("Only free offers"), tr.gettext("yes") if answers.free_only else tr.gettext(
            "no")),
        (tr.gettext("Language"), LANGUAGE_NAMES[state.language]),
    ]
    if answers.who in ("child", "family"):
        rows.insert(1, (tr.gettext("Children's ages"), ", ".join(map(str, answers.child_ages))))
    text = "\n".join([tr.gettext("Your answers:")] + [
        tr.gettext("{label}: {value}").format(label=label, value=value or unanswered)
        for label, value in rows])
    edit = [
        Button(tr.gettext("Who it is for"), "edit:who"),
        Button(tr.gettext("Age"), "edit:age"),
        Button(tr.gettext("Situation"), "edit:situation"),
        Button(tr.gettext("Interests"), "edit:interests"),
        Button(tr.gettext("Where"), "edit:where"),
    ]
    if answers.who in ("child", "family"):
        edit.insert(1, Button(tr.gettext("Children's ages"), "edit:child_ages"))
    buttons = (
        *in_rows(edit),
        (Button(tr.gettext("See offers"), "go:results"), Button(tr.gettext("Start over"),
                                                                 "go:start")),
    )
    return Outcome(state, (Reply(text, buttons=buttons),))


def edit(state: Conversation, name: str, ctx: Context) -> Outcome | None:
    """Answer one question again, then straight back to the results."""
    if name not in Step._value2member_map_ or Step(name) not in questions.QUESTIONS:
        return None
    if Step(name) == Step.NEIGHBOURHOOD:
        return None
    return questions.ask(replace(state, step=Step(name), editing=True), ctx)


def cancel(state: Conversation, ctx: Context) -> Outcome:
    """Stop the questions (answers kept)."""
    tr = tr_of(state)
    stopped = replace(state, step=Step.IDLE, editing=False, pending=None)
    return Outcome(stopped, (Reply(tr.gettext("Stopped. Your answers are kept.")),
                             *here(stopped, ctx)))


def search(state: Conversation, text: str, ctx: Context) -> Outcome:
    """Search the catalogue with ``text`` and the answers so far."""
    if not text:
        tr = tr_of(state)
        ask = Reply(tr.gettext("What are you looking for? Type a few words, for example: "
                               "“English lessons”."), buttons=(menu(state),))
        return Outcome(state, (ask,))
    return results.show(state.with_answers(text=text), ctx)


def run(state: Conversation, name: str, argument: str, ctx: Context) -> Outcome:
    """One slash command (``start`` included); unknown ones get the list of commands."""
    name = ALIASES.get(name, name)
    match name:
        case "start":
            return start(state, argument or None, ctx)
        case "search":
            return search(state, argument, ctx)
        case "profile":
            return profile(state, ctx)
        case "favorites":
            return offers.favourites(state, ctx, menu(state))
        case "language":
            return language(state, argument, ctx)
        case "privacy":
            return privacy(state, ctx)
        case "alerts":
            return alerts.command(state, argument, ctx)
        case "followups":
            return followups.command(state, argument, ctx)
        case "forget":
            return ask_forget(state)
        case "propose":  # Telegram answers it with the template (bot.telegram.partners)
            text = tr_of(state).gettext("To propose learning offers, send /propose to the bot in "
                                        "Telegram: it sends you the file to fill in.")
            return Outcome(state, (Reply(text, buttons=(menu(state),)),))
        case "help":
            return show_help(state, ctx)
        case "cancel":
            return cancel(state, ctx)
    tr = tr_of(state)
    unknown = Reply(tr.gettext("I do not know the command /{name}.").format(name=name))
    return show_help(state, ctx, unknown)
