"""Direct messages: conversations, each participant's copy of them, who may write to whom."""
