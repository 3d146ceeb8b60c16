"""Customer messages: the outbox, its channels (e-mail, SMS, app push), consent at sending time, moderation."""
