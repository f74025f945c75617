"""Margin Defense REST API (`/api/...`): dashboard, alerts, tasks, dealers, search, detection, one
module each, found by app/api/main.py like every router (bulk enforcement is app/api/margin/enforcement.py).

RBAC is the spec's (engine.rbac margin.*): reads need margin.read (every role); alert decisions and
notes margin.alerts.update / margin.notes.write (Owner, Admin, Ops, Sales — the machine adds
margin.enforcement.run for enforce/stand_down); tasks margin.tasks.write; dealer status
margin.dealers.status (Owner, Admin, Ops); detection margin.detect.run. Viewer is read-only.
Lists are keyset-paginated (`?limit&cursor`); ids of another tenant answer 404.
"""
