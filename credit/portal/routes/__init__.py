"""The portal's pages by area: `auth` (login, logout, home), `clerk` (a unit's pages), `office` (the credit
office's pages)."""
