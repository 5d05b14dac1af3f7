"""Words that mean the same on every channel and in every survey, whatever else is going on."""

STOP_WORDS = frozenset({"stop", "stopall", "unsubscribe", "cancel", "end", "quit", "/stop",
                        "stop texting me", "stop messaging me", "stop all", "unsubscribe me", "please stop",
                        "stop please", "stop it", "stop now"})
START_WORDS = frozenset({"start", "yes", "unstop", "/start"})
HELP_WORDS = frozenset({"help", "info", "/help"})
SKIP_WORDS = frozenset({"skip", "pass", "no comment", "rather not say", "prefer not to say", "next"})
BACK_WORDS = frozenset({"back", "go back", "previous"})

# Participation words (bot/participation.py) are reserved too: a survey cannot take JOIN or ALERTS.
PARTICIPATION_WORDS = frozenset({"join", "opportunities", "alerts", "my data", "delete my data", "withdraw",
                                 "sign up", "more"})
RESERVED = PARTICIPATION_WORDS | STOP_WORDS | START_WORDS | HELP_WORDS | SKIP_WORDS | BACK_WORDS | {"no"}
