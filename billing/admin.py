from billing import (
    admin_billing,  # noqa: F401  plans, subscriptions, invoices, mandates, notifications
    admin_rates,  # noqa: F401  dollar rate snapshots
)
