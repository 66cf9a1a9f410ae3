"""The web portal for the units' clerks and the credit office (issue #17). Nothing here is imported by the
rest of `credit` but `credit.links` (pure Python: the portal's URLs in alerts and artifacts);
`credit.portal.accounts` and `credit.portal.audit` import no web library, so `credit users` stays quick.
The web application: `credit.portal.app.create_app`."""
