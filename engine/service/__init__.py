"""Field service (spec multi-org-catalog-pricing-tracker.md M06–M08): who is responsible for a
ticket (service policies with manufacturer → distributor → dealer fallbacks), which engineers may
take it (memberships, skills, coverage), and when it is due (agreements and SLA policies whose rules
are formula-language expressions). Pure: no database, web or queue."""
