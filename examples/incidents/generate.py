#!/usr/bin/env python3
# Regenerates the synthetic scenario data (metrics.json, logs.jsonl, deploys.jsonl,
# alert.json, app-config.yaml, expected.yaml) in this folder. Deterministic: no
# randomness, the wobble is a fixed sine/cosine. Run: python3 examples/incidents/generate.py
# The helpers are shared with testdata/incidents/generate.py (scripts/incidentgen.py).
import os, sys, datetime as dt
ROOT=os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True  # no __pycache__ beside the shared module
sys.path.insert(0, os.path.join(ROOT, '..', '..', 'scripts'))
from incidentgen import T, wob, ramp, logs_steady, burst, alertmanager, write_data, app_config, write_text, expected_yaml
import incidentgen

def series(labels, start, end, f, step=120): return incidentgen.series(labels, start, end, f, step, '%.4g')
def write(name, alert, deploys, metrics, logs, config_extra='', expected=None):
    d=os.path.join(ROOT,name)
    write_data(d, alert, deploys, metrics, logs, lambda x: x['time'])
    write_text(d, 'app-config.yaml', app_config(f"""# Scenario {name}: replay with
#   bsai -c examples/incidents/{name}/app-config.yaml incident investigate \\
#     --alert examples/incidents/{name}/alert.json --offline
# Paths are relative to this file.
""", '../../catalog/catalog-info.yaml', 'https://hooks.slack.example.com/services/T000/B000/XXXX', ':rotating_light: {{.Summary}}',
        "page the owning team's on-call", 'dependency, saturation, none', 'https://events.pagerduty.example.com/v2/enqueue', config_extra))
    write_text(d, 'expected.yaml', expected_yaml({'top': expected[0], 'why': expected[1]}))

def am(name, service, starts, summary, severity='page'):
    return alertmanager(name, service, starts, summary, severity, 'payments-oncall', 'https://alertmanager.acme.example.com',
      {"runbook_url":"https://runbooks.acme.example.com/%s"%service},
      "https://prometheus.acme.example.com/graph?g0.expr=job%3A"+service, "a1b2c3d4e5f60718")

# 1 bad deploy of the service itself
A=T('2026-03-14T10:00:00Z'); S=A-dt.timedelta(hours=2); E=A+dt.timedelta(minutes=30)
on=T('2026-03-14T09:56:00Z')
write('bad-deploy',
  am('PaymentsHighErrorRate','payments-api',A,'payments-api 5xx ratio above 5% for 4m'),
  [{"time":"2026-03-14T08:30:00Z","entity":"component:default/recommendations","version":"1.8.2","previous":"1.8.1","author":"dana","link":"https://github.com/acme/recommendations/releases/tag/v1.8.2","kind":"deploy"},
   {"time":"2026-03-14T09:52:00Z","entity":"component:default/payments-api","version":"v2.14.0","previous":"v2.13.4","author":"alice","link":"https://github.com/acme/payments-api/releases/tag/v2.14.0","kind":"deploy","description":"new 3-D Secure flow"}],
  [series({"__name__":"http_error_ratio","service":"payments-api","signal":"errors"},S,E,lambda t,i: ramp(t,on,0.004,0.12)+wob(i,0.001)),
   series({"__name__":"http_error_ratio","service":"fraud-scorer","signal":"errors"},S,E,lambda t,i: 0.002+wob(i,0.0005)),
   series({"__name__":"http_error_ratio","service":"ledger-service","signal":"errors"},S,E,lambda t,i: 0.001+wob(i,0.0003)),
   series({"__name__":"pg_connections_ratio","service":"payments-db","signal":"db_connections_utilization"},S,E,lambda t,i: 0.42+wob(i,0.03))],
  logs_steady('payments-api',S,E,[('info','authorised payment pay_{i} in 41ms'),('warn','card gateway slow response 1200ms for merchant m_{i}'),('error','card declined by issuer for payment pay_{i}: insufficient funds')],240)
   + burst('payments-api',on+dt.timedelta(seconds=30),E,'error','panic: runtime error: invalid memory address or nil pointer dereference in threeds.Verify (request {h})',15),
  expected=('v2.14.0','payments-api v2.14.0 went out 4 minutes before its own error rate rose and a new panic template appeared'))

# 2 failing dependency
A=T('2026-03-14T14:10:00Z'); S=A-dt.timedelta(hours=2); E=A+dt.timedelta(minutes=30)
dep_on=T('2026-03-14T14:02:00Z'); on=T('2026-03-14T14:06:00Z')
write('failing-dependency',
  am('PaymentsHighErrorRate','payments-api',A,'payments-api 5xx ratio above 5% for 4m'),
  [{"time":"2026-03-14T12:40:00Z","entity":"component:default/cart-service","version":"4.2.0","previous":"4.1.9","author":"bob","link":"https://github.com/acme/cart-service/releases/tag/4.2.0","kind":"deploy"}],
  [series({"service":"payments-api","signal":"errors"},S,E,lambda t,i: ramp(t,on,0.003,0.09)+wob(i,0.001)),
   series({"service":"fraud-scorer","signal":"errors"},S,E,lambda t,i: ramp(t,dep_on,0.002,0.35)+wob(i,0.0006)),
   series({"service":"fraud-scorer","signal":"latency_p99_seconds"},S,E,lambda t,i: ramp(t,dep_on,0.035,0.9)+wob(i,0.004)),
   series({"service":"ledger-service","signal":"errors"},S,E,lambda t,i: 0.001+wob(i,0.0003)),
   series({"service":"payments-db","signal":"db_connections_utilization"},S,E,lambda t,i: 0.40+wob(i,0.03))],
  logs_steady('payments-api',S,E,[('info','authorised payment pay_{i} in 38ms'),('error','card declined by issuer for payment pay_{i}: insufficient funds')],240)
   + burst('payments-api',on,E,'error','fraud-api call failed: context deadline exceeded after 50ms (payment pay_{i})',20)
   + burst('fraud-scorer',dep_on,E,'error','feature-store read timeout after 30ms for key feat:{h}',10),
  expected=('component:default/fraud-scorer','fraud-scorer errors and latency rose 4 minutes before payments-api; payments-api did not change'))

# 3 noisy unrelated deploy next to the real cause
A=T('2026-03-14T11:30:00Z'); S=A-dt.timedelta(hours=2); E=A+dt.timedelta(minutes=30)
dep_on=T('2026-03-14T11:22:00Z'); on=T('2026-03-14T11:26:00Z')
write('noisy-deploy',
  am('PaymentsHighErrorRate','payments-api',A,'payments-api 5xx ratio above 5% for 4m'),
  [{"time":"2026-03-14T11:18:00Z","entity":"component:default/ledger-service","version":"v5.3.0","previous":"v5.2.7","author":"carol","link":"https://github.com/acme/ledger-service/releases/tag/v5.3.0","kind":"deploy","description":"journal schema migration"},
   {"time":"2026-03-14T11:27:00Z","entity":"component:default/checkout-web","version":"9.1.0","previous":"9.0.3","author":"erin","link":"https://github.com/acme/checkout-web/releases/tag/9.1.0","kind":"deploy","description":"new basket layout"},
   {"time":"2026-03-14T11:25:00Z","entity":"component:default/search-service","version":"","author":"frank","kind":"config","description":"raise search-index replica count"}],
  [series({"service":"payments-api","signal":"errors"},S,E,lambda t,i: ramp(t,on,0.003,0.07)+wob(i,0.001)),
   series({"service":"ledger-service","signal":"errors"},S,E,lambda t,i: ramp(t,dep_on,0.001,0.25)+wob(i,0.0003)),
   series({"service":"fraud-scorer","signal":"errors"},S,E,lambda t,i: 0.002+wob(i,0.0005)),
   series({"service":"payments-db","signal":"db_connections_utilization"},S,E,lambda t,i: 0.44+wob(i,0.03))],
  logs_steady('payments-api',S,E,[('info','captured payment pay_{i}'),('error','card declined by issuer for payment pay_{i}: insufficient funds')],240)
   + burst('ledger-service',dep_on,E,'error','ERROR: column "journal_entry_v2.currency" does not exist (SQLSTATE 42703) tx {h}',15)
   + burst('payments-api',on,E,'error','ledger-api POST /v1/journal returned 500 for payment pay_{i}',20),
  expected=('ledger-service v5.3.0','the ledger-service deploy preceded its own error spike; the checkout-web deploy is closer to onset but downstream'))

# 4 database saturation, no deploy
A=T('2026-03-14T16:40:00Z'); S=A-dt.timedelta(hours=2); E=A+dt.timedelta(minutes=30)
db_on=T('2026-03-14T16:30:00Z'); on=T('2026-03-14T16:35:00Z')
write('db-saturation',
  am('PaymentsHighLatency','payments-api',A,'payments-api p99 latency above 1s for 5m','page'),
  [],
  [series({"service":"payments-api","signal":"latency_p99_seconds"},S,E,lambda t,i: ramp(t,on,0.18,2.4,6)+wob(i,0.01)),
   series({"service":"payments-api","signal":"errors"},S,E,lambda t,i: ramp(t,on+dt.timedelta(minutes=4),0.003,0.03)+wob(i,0.001)),
   series({"service":"payments-db","signal":"db_connections_utilization"},S,E,lambda t,i: min(0.995, ramp(t,db_on,0.46,0.99,6)+wob(i,0.02))),
   series({"service":"fraud-scorer","signal":"errors"},S,E,lambda t,i: 0.002+wob(i,0.0005)),
   series({"service":"ledger-service","signal":"errors"},S,E,lambda t,i: 0.001+wob(i,0.0003))],
  logs_steady('payments-api',S,E,[('info','authorised payment pay_{i} in 44ms'),('error','card declined by issuer for payment pay_{i}: insufficient funds')],240)
   + burst('payments-api',on,E,'error','timeout acquiring connection from pool payments-db after 5000ms ({i} waiting)',15),
  expected=('resource:default/payments-db','payments-db connection use went to 99% five minutes before latency rose, with no change anywhere'))

# 5 no clear cause
A=T('2026-03-15T03:15:00Z'); S=A-dt.timedelta(hours=2); E=A+dt.timedelta(minutes=30)
on=T('2026-03-15T03:12:00Z')
write('no-clear-cause',
  am('PaymentsHighErrorRate','payments-api',A,'payments-api 5xx ratio above 2% for 3m','ticket'),
  [{"time":"2026-03-14T21:05:00Z","entity":"component:default/payments-api","version":"v2.14.1","previous":"v2.14.0","author":"alice","kind":"deploy"},
   {"time":"2026-03-15T01:20:00Z","entity":"component:default/search-service","version":"3.0.2","author":"frank","kind":"deploy"}],
  [series({"service":"payments-api","signal":"errors"},S,E,lambda t,i: ramp(t,on,0.004,0.025)+wob(i,0.001)),
   series({"service":"fraud-scorer","signal":"errors"},S,E,lambda t,i: 0.002+wob(i,0.0005)),
   series({"service":"ledger-service","signal":"errors"},S,E,lambda t,i: 0.001+wob(i,0.0003)),
   series({"service":"payments-db","signal":"db_connections_utilization"},S,E,lambda t,i: 0.38+wob(i,0.03))],
  logs_steady('payments-api',S,E,[('info','authorised payment pay_{i} in 40ms'),('error','card declined by issuer for payment pay_{i}: insufficient funds'),('error','upstream card network returned 503 for merchant m_{i}')],120),
  expected=('no clear cause','errors rose a little with no change, no dependency signal and no new error template: the report must say so'))

# 6 PagerDuty v3 event; an infra change on a dependency
A=T('2026-03-16T07:48:00Z'); S=A-dt.timedelta(hours=2); E=A+dt.timedelta(minutes=30)
dep_on=T('2026-03-16T07:42:00Z'); on=T('2026-03-16T07:45:00Z')
pd={"event":{"id":"01EDRP4V2FGOXU7P3Q2KZP9K5B","event_type":"incident.triggered","resource_type":"incident",
  "occurred_at":"2026-03-16T07:48:12.000Z","agent":None,"client":{"name":"Alertmanager"},
  "data":{"id":"Q2K9TV7ABC","type":"incident","self":"https://api.pagerduty.com/incidents/Q2K9TV7ABC",
    "html_url":"https://acme.pagerduty.com/incidents/Q2K9TV7ABC","number":4211,"status":"triggered",
    "incident_key":"payments-api/card-auth-failures","created_at":"2026-03-16T07:48:00Z",
    "title":"Payments API: card authorisations failing","service":{"html_url":"https://acme.pagerduty.com/services/PPAYAPI",
    "id":"PPAYAPI","self":"https://api.pagerduty.com/services/PPAYAPI","summary":"Payments API (production)","type":"service_reference"},
    "assignees":[{"html_url":"https://acme.pagerduty.com/users/PABC123","id":"PABC123","summary":"Alice","type":"user_reference"}],
    "escalation_policy":{"id":"PESC001","summary":"Payments","type":"escalation_policy_reference"},
    "teams":[],"priority":None,"urgency":"high","conference_bridge":None,"resolve_reason":None}}}
write('pagerduty-infra-change', pd,
  [{"time":"2026-03-16T07:40:00Z","entity":"component:default/card-gateway-adapter","kind":"infra","author":"platform-bot","link":"https://github.com/acme/infra/pull/8812","description":"rotate acquirer mTLS client certificate"},
   {"time":"2026-03-16T07:30:00Z","entity":"component:default/notification-service","kind":"config","author":"gina","description":"new e-mail template for refunds"}],
  [series({"service":"payments-api","signal":"errors"},S,E,lambda t,i: ramp(t,on,0.003,0.4)+wob(i,0.001)),
   series({"service":"card-gateway-adapter","signal":"errors"},S,E,lambda t,i: ramp(t,dep_on,0.001,0.95,2)+wob(i,0.0003)),
   series({"service":"fraud-scorer","signal":"errors"},S,E,lambda t,i: 0.002+wob(i,0.0005)),
   series({"service":"payments-db","signal":"db_connections_utilization"},S,E,lambda t,i: 0.41+wob(i,0.03))],
  logs_steady('payments-api',S,E,[('info','authorised payment pay_{i} in 39ms'),('error','card declined by issuer for payment pay_{i}: insufficient funds')],240)
   + burst('card-gateway-adapter',dep_on,E,'error','tls handshake with acquirer gateway failed: x509: certificate signed by unknown authority (conn {h})',10)
   + burst('payments-api',on,E,'error','card-gateway-adapter authorise failed: upstream connect error (payment pay_{i})',15),
  expected=('card-gateway-adapter','the adapter got a new client certificate at 07:40 and its TLS handshakes failed from 07:42; payments-api only relays the failure'))
