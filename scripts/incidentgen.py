# Helpers the two incident data generators share (examples/incidents/generate.py for the quick start,
# testdata/incidents/generate.py for the eval scenarios): time, deterministic signal shapes, log lines,
# the Alertmanager webhook body and the files of one scenario folder. Deterministic: no randomness; the
# wobble is a fixed sine/cosine. Not a script: the generators import it.
import json, math, os, datetime as dt


def T(s): return dt.datetime.fromisoformat(s.replace('Z', '+00:00'))
def iso(t): return t.strftime('%Y-%m-%dT%H:%M:%SZ')
def mins(m): return dt.timedelta(minutes=m)


def series(labels, start, end, f, step, fmt):
    """A Prometheus matrix series: f(t, i) every step seconds from start to end, each value formatted with fmt."""
    vals = []
    t = start
    i = 0
    while t <= end:
        vals.append([int(t.timestamp()), fmt % f(t, i)])
        t += dt.timedelta(seconds=step)
        i += 1
    return {"metric": labels, "values": vals}


def wob(i, a, phase=0.0):
    """A fixed wobble of amplitude about a at sample i."""
    return a * math.sin(i * 1.7 + phase) * 0.5 + a * math.cos(i * 0.9 + phase) * 0.3


def ramp(t, at, lo, hi, m=4):
    """lo until at, then up to hi over m minutes."""
    if t < at:
        return lo
    x = min(1, (t - at).total_seconds() / 60 / m)
    return lo + (hi - lo) * x


def logs_steady(svc, start, end, msgs, every=300, offset=0):
    """One log line every `every` seconds, cycling through msgs ((level, text) pairs; {i} and {h} are filled in)."""
    out = []
    t = start + dt.timedelta(seconds=offset)
    i = 0
    while t < end:
        lvl, m = msgs[i % len(msgs)]
        out.append({"time": iso(t), "service": svc, "level": lvl,
                    "msg": m.format(i=(i * 7919 + offset) % 100000, h='%08x' % ((i + offset) * 2654435761 % 2**32))})
        t += dt.timedelta(seconds=every)
        i += 1
    return out


def burst(svc, start, end, level, msg, every=20, offset=0):
    """The same line, more often: an error burst."""
    return logs_steady(svc, start, end, [(level, msg)], every, offset)


def alertmanager(name, service, starts, summary, severity, receiver, external_url, annotations, generator_url, fingerprint):
    """An Alertmanager webhook body (version 4) with one firing alert."""
    return {"version": "4", "groupKey": "{}:{alertname=\"%s\"}" % name, "truncatedAlerts": 0, "status": "firing",
            "receiver": receiver, "groupLabels": {"alertname": name},
            "commonLabels": {"alertname": name, "service": service, "severity": severity},
            "commonAnnotations": {"summary": summary}, "externalURL": external_url,
            "alerts": [{"status": "firing", "labels": {"alertname": name, "service": service, "severity": severity, "env": "prod"},
                        "annotations": dict({"summary": summary}, **annotations),
                        "startsAt": iso(starts), "endsAt": "0001-01-01T00:00:00Z",
                        "generatorURL": generator_url, "fingerprint": fingerprint}]}


def write_data(d, alert, deploys, metrics, logs, log_key):
    """Writes a scenario folder's alert.json, deploys.jsonl (in the order given), metrics.json and logs.jsonl
    (sorted by log_key)."""
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, 'alert.json'), 'w') as f:
        json.dump(alert, f, indent=2)
    with open(os.path.join(d, 'deploys.jsonl'), 'w') as f:
        f.write('# time, entity, version, previous, author, link, kind (deploy/config/infra), description\n')
        for e in deploys:
            f.write(json.dumps(e) + '\n')
    with open(os.path.join(d, 'metrics.json'), 'w') as f:
        json.dump({"status": "success", "data": {"resultType": "matrix", "result": metrics}}, f, separators=(',', ':'))
    with open(os.path.join(d, 'logs.jsonl'), 'w') as f:
        for e in sorted(logs, key=log_key):
            f.write(json.dumps(e) + '\n')


def app_config(header, catalog_files, webhook_url, webhook_text, page_description, page_on, page_url, extra=''):
    """A scenario's app-config.yaml: the files catalog, the three file sources and the three actions every
    scenario has (rollback, notify-channel, page-owner), after the header comment."""
    return f"""{header}bsai:
  catalog:
    source: files
    files: [{catalog_files}]
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
        url: {webhook_url}
        text: "{webhook_text}"
      page-owner:
        type: page
        description: {page_description}
        on: [{page_on}]
        url: {page_url}
    agent:
      allow: [notify-channel]
      maxActions: 2
{extra}"""


def write_text(d, name, text):
    with open(os.path.join(d, name), 'w') as f:
        f.write(text)


def expected_yaml(expected):
    """expected.yaml: top and why, then notPlanned and pages when the scenario has them."""
    lines = ["top: %s" % json.dumps(expected['top']), "why: %s" % json.dumps(expected['why'])]
    for k in ('notPlanned', 'pages'):
        if k in expected:
            lines.append("%s: %s" % (k, json.dumps(expected[k])))
    return '\n'.join(lines) + '\n'
