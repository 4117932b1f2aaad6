#!/usr/bin/env python3
# Regenerates the synthetic scenario data (metrics.json, logs.jsonl, deploys.jsonl,
# alert.json, app-config.yaml, expected.yaml) in this folder. Deterministic: no
# randomness, the wobble is a fixed sine/cosine. Run: python3 examples/incidents/generate.py
import json, math, os, datetime as dt
ROOT=os.path.dirname(os.path.abspath(__file__))
def T(s): return dt.datetime.fromisoformat(s.replace('Z','+00:00'))
def iso(t): return t.strftime('%Y-%m-%dT%H:%M:%SZ')
def series(labels, start, end, f, step=120):
    vals=[]; t=start
    i=0
    while t<=end:
        vals.append([int(t.timestamp()), "%.4g"%f(t,i)]); t+=dt.timedelta(seconds=step); i+=1
    return {"metric":labels,"values":vals}
def jitter(i, a): return a*math.sin(i*1.7)*0.5 + a*math.cos(i*0.9)*0.3
def ramp(t, at, lo, hi, mins=4):
    if t<at: return lo
    x=min(1,(t-at).total_seconds()/60/mins); return lo+(hi-lo)*x
def write(name, alert, deploys, metrics, logs, config_extra='', expected=None):
    d=os.path.join(ROOT,name); os.makedirs(d,exist_ok=True)
    json.dump(alert, open(os.path.join(d,'alert.json'),'w'), indent=2)
    with open(os.path.join(d,'deploys.jsonl'),'w') as f:
        f.write('# time, entity, version, previous, author, link, kind (deploy/config/infra), description\n')
        for e in deploys: f.write(json.dumps(e)+'\n')
    json.dump({"status":"success","data":{"resultType":"matrix","result":metrics}}, open(os.path.join(d,'metrics.json'),'w'), separators=(',',':'))
    with open(os.path.join(d,'logs.jsonl'),'w') as f:
        for e in sorted(logs,key=lambda x:x['time']): f.write(json.dumps(e)+'\n')
    open(os.path.join(d,'app-config.yaml'),'w').write(f"""# Scenario {name}: replay with
#   bsai -c examples/incidents/{name}/app-config.yaml incident investigate \\
#     --alert examples/incidents/{name}/alert.json --offline
# Paths are relative to this file.
bsai:
  catalog:
    source: files
    files: [../../catalog/catalog-info.yaml]
  incident:
    since: 2h
    sources:
      deploys:
        files: [./deploys.jsonl]
      metrics:
        files: [./metrics.json]
      logs:
        files: [./logs.jsonl]
    actions:
      rollback:
        type: scaffolder
        description: roll the changed service back to its previous version
        on: [deploy]
        template: template:default/rollback-service
        values:
          service: "{{{{.ChangedEntity}}}}"
          version: "{{{{.Previous}}}}"
      notify-channel:
        type: webhook
        description: post the summary to the incident channel
        on: [any]
        url: https://hooks.slack.example.com/services/T000/B000/XXXX
        text: ":rotating_light: {{{{.Summary}}}}"
      page-owner:
        type: page
        description: page the owning team's on-call
        on: [dependency, saturation, none]
        url: https://events.pagerduty.example.com/v2/enqueue
    agent:
      allow: [notify-channel]
      maxActions: 2
{config_extra}""")
    open(os.path.join(d,'expected.yaml'),'w').write(f"top: {json.dumps(expected[0])}\nwhy: {json.dumps(expected[1])}\n")

def am(name, service, starts, summary, severity='page'):
    return {"version":"4","groupKey":"{}:{alertname=\"%s\"}"%name,"truncatedAlerts":0,"status":"firing","receiver":"payments-oncall",
      "groupLabels":{"alertname":name},"commonLabels":{"alertname":name,"service":service,"severity":severity},
      "commonAnnotations":{"summary":summary},"externalURL":"https://alertmanager.acme.example.com",
      "alerts":[{"status":"firing","labels":{"alertname":name,"service":service,"severity":severity,"env":"prod"},
        "annotations":{"summary":summary,"runbook_url":"https://runbooks.acme.example.com/%s"%service},
        "startsAt":iso(starts),"endsAt":"0001-01-01T00:00:00Z",
        "generatorURL":"https://prometheus.acme.example.com/graph?g0.expr=job%3A"+service,"fingerprint":"a1b2c3d4e5f60718"}]}

def logs_steady(svc, start, end, msgs, every=300):
    out=[]; t=start; i=0
    while t<end:
        m=msgs[i%len(msgs)]
        out.append({"time":iso(t),"service":svc,"level":m[0],"msg":m[1].format(i=i*7919%100000, h='%08x'%(i*2654435761%2**32))})
        t+=dt.timedelta(seconds=every); i+=1
    return out
def logs_burst(svc, start, end, level, msg, every=20):
    return logs_steady(svc,start,end,[(level,msg)],every)

# 1 bad deploy of the service itself
A=T('2026-03-14T10:00:00Z'); S=A-dt.timedelta(hours=2); E=A+dt.timedelta(minutes=30)
on=T('2026-03-14T09:56:00Z')
write('bad-deploy',
  am('PaymentsHighErrorRate','payments-api',A,'payments-api 5xx ratio above 5% for 4m'),
  [{"time":"2026-03-14T08:30:00Z","entity":"component:default/recommendations","version":"1.8.2","previous":"1.8.1","author":"dana","link":"https://github.com/acme/recommendations/releases/tag/v1.8.2","kind":"deploy"},
   {"time":"2026-03-14T09:52:00Z","entity":"component:default/payments-api","version":"v2.14.0","previous":"v2.13.4","author":"alice","link":"https://github.com/acme/payments-api/releases/tag/v2.14.0","kind":"deploy","description":"new 3-D Secure flow"}],
  [series({"__name__":"http_error_ratio","service":"payments-api","signal":"errors"},S,E,lambda t,i: ramp(t,on,0.004,0.12)+jitter(i,0.001)),
   series({"__name__":"http_error_ratio","service":"fraud-scorer","signal":"errors"},S,E,lambda t,i: 0.002+jitter(i,0.0005)),
   series({"__name__":"http_error_ratio","service":"ledger-service","signal":"errors"},S,E,lambda t,i: 0.001+jitter(i,0.0003)),
   series({"__name__":"pg_connections_ratio","service":"payments-db","signal":"db_connections_utilization"},S,E,lambda t,i: 0.42+jitter(i,0.03))],
  logs_steady('payments-api',S,E,[('info','authorised payment pay_{i} in 41ms'),('warn','card gateway slow response 1200ms for merchant m_{i}'),('error','card declined by issuer for payment pay_{i}: insufficient funds')],240)
   + logs_burst('payments-api',on+dt.timedelta(seconds=30),E,'error','panic: runtime error: invalid memory address or nil pointer dereference in threeds.Verify (request {h})',15),
  expected=('v2.14.0','payments-api v2.14.0 went out 4 minutes before its own error rate rose and a new panic template appeared'))

# 2 failing dependency
A=T('2026-03-14T14:10:00Z'); S=A-dt.timedelta(hours=2); E=A+dt.timedelta(minutes=30)
dep_on=T('2026-03-14T14:02:00Z'); on=T('2026-03-14T14:06:00Z')
write('failing-dependency',
  am('PaymentsHighErrorRate','payments-api',A,'payments-api 5xx ratio above 5% for 4m'),
  [{"time":"2026-03-14T12:40:00Z","entity":"component:default/cart-service","version":"4.2.0","previous":"4.1.9","author":"bob","link":"https://github.com/acme/cart-service/releases/tag/4.2.0","kind":"deploy"}],
  [series({"service":"payments-api","signal":"errors"},S,E,lambda t,i: ramp(t,on,0.003,0.09)+jitter(i,0.001)),
   series({"service":"fraud-scorer","signal":"errors"},S,E,lambda t,i: ramp(t,dep_on,0.002,0.35)+jitter(i,0.0006)),
   series({"service":"fraud-scorer","signal":"latency_p99_seconds"},S,E,lambda t,i: ramp(t,dep_on,0.035,0.9)+jitter(i,0.004)),
   series({"service":"ledger-service","signal":"errors"},S,E,lambda t,i: 0.001+jitter(i,0.0003)),
   series({"service":"payments-db","signal":"db_connections_utilization"},S,E,lambda t,i: 0.40+jitter(i,0.03))],
  logs_steady('payments-api',S,E,[('info','authorised payment pay_{i} in 38ms'),('error','card declined by issuer for payment pay_{i}: insufficient funds')],240)
   + logs_burst('payments-api',on,E,'error','fraud-api call failed: context deadline exceeded after 50ms (payment pay_{i})',20)
   + logs_burst('fraud-scorer',dep_on,E,'error','feature-store read timeout after 30ms for key feat:{h}',10),
  expected=('component:default/fraud-scorer','fraud-scorer errors and latency rose 4 minutes before payments-api; payments-api did not change'))

# 3 noisy unrelated deploy next to the real cause
A=T('2026-03-14T11:30:00Z'); S=A-dt.timedelta(hours=2); E=A+dt.timedelta(minutes=30)
dep_on=T('2026-03-14T11:22:00Z'); on=T('2026-03-14T11:26:00Z')
write('noisy-deploy',
  am('PaymentsHighErrorRate','payments-api',A,'payments-api 5xx ratio above 5% for 4m'),
  [{"time":"2026-03-14T11:18:00Z","entity":"component:default/ledger-service","version":"v5.3.0","previous":"v5.2.7","author":"carol","link":"https://github.com/acme/ledger-service/releases/tag/v5.3.0","kind":"deploy","description":"journal schema migration"},
   {"time":"2026-03-14T11:27:00Z","entity":"component:default/checkout-web","version":"9.1.0","previous":"9.0.3","author":"erin","link":"https://github.com/acme/checkout-web/releases/tag/9.1.0","kind":"deploy","description":"new basket layout"},
   {"time":"2026-03-14T11:25:00Z","entity":"component:default/search-service","version":"","author":"frank","kind":"config","description":"raise search-index replica count"}],
  [series({"service":"payments-api","signal":"errors"},S,E,lambda t,i: ramp(t,on,0.003,0.07)+jitter(i,0.001)),
   series({"service":"ledger-service","signal":"errors"},S,E,lambda t,i: ramp(t,dep_on,0.001,0.25)+jitter(i,0.0003)),
   series({"service":"fraud-scorer","signal":"errors"},S,E,lambda t,i: 0.002+jitter(i,0.0005)),
   series({"service":"payments-db","signal":"db_connections_utilization"},S,E,lambda t,i: 0.44+jitter(i,0.03))],
  logs_steady('payments-api',S,E,[('info','captured payment pay_{i}'),('error','card declined by issuer for payment pay_{i}: insufficient funds')],240)
   + logs_burst('ledger-service',dep_on,E,'error','ERROR: column "journal_entry_v2.currency" does not exist (SQLSTATE 42703) tx {h}',15)
   + logs_burst('payments-api',on,E,'error','ledger-api POST /v1/journal returned 500 for payment pay_{i}',20),
  expected=('ledger-service v5.3.0','the ledger-service deploy preceded its own error spike; the checkout-web deploy is closer to onset but downstream'))

# 4 database saturation, no deploy
A=T('2026-03-14T16:40:00Z'); S=A-dt.timedelta(hours=2); E=A+dt.timedelta(minutes=30)
db_on=T('2026-03-14T16:30:00Z'); on=T('2026-03-14T16:35:00Z')
write('db-saturation',
  am('PaymentsHighLatency','payments-api',A,'payments-api p99 latency above 1s for 5m','page'),
  [],
  [series({"service":"payments-api","signal":"latency_p99_seconds"},S,E,lambda t,i: ramp(t,on,0.18,2.4,6)+jitter(i,0.01)),
   series({"service":"payments-api","signal":"errors"},S,E,lambda t,i: ramp(t,on+dt.timedelta(minutes=4),0.003,0.03)+jitter(i,0.001)),
   series({"service":"payments-db","signal":"db_connections_utilization"},S,E,lambda t,i: min(0.995, ramp(t,db_on,0.46,0.99,6)+jitter(i,0.02))),
   series({"service":"fraud-scorer","signal":"errors"},S,E,lambda t,i: 0.002+jitter(i,0.0005)),
   series({"service":"ledger-service","signal":"errors"},S,E,lambda t,i: 0.001+jitter(i,0.0003))],
  logs_steady('payments-api',S,E,[('info','authorised payment pay_{i} in 44ms'),('error','card declined by issuer for payment pay_{i}: insufficient funds')],240)
   + logs_burst('payments-api',on,E,'error','timeout acquiring connection from pool payments-db after 5000ms ({i} waiting)',15),
  expected=('resource:default/payments-db','payments-db connection use went to 99% five minutes before latency rose, with no change anywhere'))

# 5 no clear cause
A=T('2026-03-15T03:15:00Z'); S=A-dt.timedelta(hours=2); E=A+dt.timedelta(minutes=30)
on=T('2026-03-15T03:12:00Z')
write('no-clear-cause',
  am('PaymentsHighErrorRate','payments-api',A,'payments-api 5xx ratio above 2% for 3m','ticket'),
  [{"time":"2026-03-14T21:05:00Z","entity":"component:default/payments-api","version":"v2.14.1","previous":"v2.14.0","author":"alice","kind":"deploy"},
   {"time":"2026-03-15T01:20:00Z","entity":"component:default/search-service","version":"3.0.2","author":"frank","kind":"deploy"}],
  [series({"service":"payments-api","signal":"errors"},S,E,lambda t,i: ramp(t,on,0.004,0.025)+jitter(i,0.001)),
   series({"service":"fraud-scorer","signal":"errors"},S,E,lambda t,i: 0.002+jitter(i,0.0005)),
   series({"service":"ledger-service","signal":"errors"},S,E,lambda t,i: 0.001+jitter(i,0.0003)),
   series({"service":"payments-db","signal":"db_connections_utilization"},S,E,lambda t,i: 0.38+jitter(i,0.03))],
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
  [series({"service":"payments-api","signal":"errors"},S,E,lambda t,i: ramp(t,on,0.003,0.4)+jitter(i,0.001)),
   series({"service":"card-gateway-adapter","signal":"errors"},S,E,lambda t,i: ramp(t,dep_on,0.001,0.95,2)+jitter(i,0.0003)),
   series({"service":"fraud-scorer","signal":"errors"},S,E,lambda t,i: 0.002+jitter(i,0.0005)),
   series({"service":"payments-db","signal":"db_connections_utilization"},S,E,lambda t,i: 0.41+jitter(i,0.03))],
  logs_steady('payments-api',S,E,[('info','authorised payment pay_{i} in 39ms'),('error','card declined by issuer for payment pay_{i}: insufficient funds')],240)
   + logs_burst('card-gateway-adapter',dep_on,E,'error','tls handshake with acquirer gateway failed: x509: certificate signed by unknown authority (conn {h})',10)
   + logs_burst('payments-api',on,E,'error','card-gateway-adapter authorise failed: upstream connect error (payment pay_{i})',15),
  expected=('card-gateway-adapter','the adapter got a new client certificate at 07:40 and its TLS handshakes failed from 07:42; payments-api only relays the failure'))
