"""The e-mail channel of notifications: what the notifications context queues for a person becomes an
e-mail now or a line of their digest, with a one-click unsubscribe link; bounces and complaints stop it.

- `service.Mailer`: the mail queue's messages, once per notification and person (sent markers).
- `rendering`, `composing`: jinja2 bodies per type and locale, and the MIME message with its headers.
- `tokens`, `signing`, `unsubscribe`: the signed links and the public endpoint behind them.
- `digests`, `schedule`: daily and weekly digests at 08:00 in each person's time zone, once per period.
- `feedback`, `queries`: SES's bounces and complaints, and the deliverability a profile shows.
- `repository`, `privacy`: the items in each person's e-mail partition, their export and erasure.
"""
