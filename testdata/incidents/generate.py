#!/usr/bin/env python3
# Writes the data of the scenarios in this folder from their story.md (read those first: each story was
# written, and the tuning/held-out split fixed in split.yaml, before this data and before any engine change).
# The catalog is the real Backstage catalog-model examples under ../catalogs (read-only, referenced, not
# copied). Deterministic: no randomness; the wobble is a fixed sine/cosine per series.
# Run: python3 testdata/incidents/generate.py
# The helpers are shared with examples/incidents/generate.py (scripts/incidentgen.py).
import hashlib, os, sys

ROOT = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True  # no __pycache__ beside the shared module
sys.path.insert(0, os.path.join(ROOT, '..', '..', 'scripts'))
import incidentgen  # noqa: E402
from incidentgen import T, mins, wob, ramp, logs_steady, burst, write_data, app_config, write_text, expected_yaml  # noqa: E402

CATALOG = '../../catalogs/backstage-catalog-model-examples'
CATALOG_FILES = ['all-components.yaml', 'all-resources.yaml', 'all-apis.yaml', 'all-systems.yaml', 'acme-corp.yaml']


def series(labels, start, end, f, step=60):
    return incidentgen.series(labels, start, end, f, step, "%.6g")


def down(t, at, hi, lo, m=6):
    """Recovery: hi until at, then back to lo over m minutes."""
    if t < at:
        return hi
    x = min(1, (t - at).total_seconds() / 60 / m)
    return hi + (lo - hi) * x


def am(name, service, starts, summary, severity='page'):
    return incidentgen.alertmanager(name, service, starts, summary, severity, "team-oncall", "http://alertmanager.example.internal:9093", {},
                                    "http://prometheus.example.internal:9090/graph?g0.expr=" + name,
                                    hashlib.sha1(name.encode()).hexdigest()[:16])


def deploy(t, svc, version='', previous='', author='ci', kind='deploy', desc='', kind_prefix='component'):
    e = {"time": t, "entity": "%s:default/%s" % (kind_prefix, svc), "kind": kind, "author": author}
    if version:
        e["version"] = version
    if previous:
        e["previous"] = previous
    if desc:
        e["description"] = desc
    if kind == 'deploy' and version:
        e["link"] = "https://git.example.internal/%s/releases/tag/%s" % (svc, version)
    return e


def write(name, alert, deploys, metrics, logs, expected):
    d = os.path.join(ROOT, name)
    write_data(d, alert, sorted(deploys, key=lambda x: x['time']), metrics, logs, lambda x: (x['time'], x['service'], x['msg']))
    files = ', '.join('%s/%s' % (CATALOG, c) for c in CATALOG_FILES)
    write_text(d, 'app-config.yaml', app_config(f"""# Scenario {name} (see story.md): replay with
#   bsai -c testdata/incidents/{name}/app-config.yaml incident investigate \\
#     --alert testdata/incidents/{name}/alert.json --offline
# Paths are relative to this file. The catalog is the real Backstage catalog-model examples.
""", files, "https://hooks.chat.example.internal/services/T000/B000/XXXX", "{{.Summary}}",
        "page the on-call of the suspected component's owner", "dependency, saturation, deploy, config, log, none",
        "https://events.pager.example.internal/v2/enqueue"))
    write_text(d, 'expected.yaml', expected_yaml(expected))


LOOKUP_NOISE = [('info', 'resolved artist ar_{i} in 12ms'), ('error', 'artist not found: ar_{i}'),
                ('info', 'cache hit ratio 0.93')]
SEARCH_NOISE = [('info', 'query q_{i} answered in 85ms'), ('error', 'robots.txt disallows crawl of host h{i}.example.org'),
                ('info', 'index segment merged')]
ARCHIVE_NOISE = [('info', 'served snapshot s_{i}'), ('error', 'snapshot cache miss for s_{i}, reading from storage')]
DB_NOISE = [('info', 'checkpoint complete: wrote {i} buffers'),
            ('error', 'could not receive data from client: Connection reset by peer')]


def window(alert):
    return alert - mins(120), alert + mins(30)


# ---- tuning ---------------------------------------------------------------------------------------

# T1 artists-db-pool-at-max
A = T('2026-04-07T02:18:00Z'); S, E = window(A)
db_on = T('2026-04-07T02:11:00Z'); on = T('2026-04-07T02:14:00Z')
write('artists-db-pool-at-max', am('ArtistLookupHighLatency', 'artist-lookup', A, 'artist-lookup p99 above 1s for 4m'),
      [deploy('2026-04-07T02:09:00Z', 'www-artist', '7.3.0', '7.2.2', 'janelle.dawe', desc='new hero banner'),
       deploy('2026-04-06T16:40:00Z', 'artist-lookup', '2.3.0', '2.2.8', 'nigel.manning')],
      [series({"service": "artist-lookup", "signal": "latency_p99_seconds"}, S, E, lambda t, i: ramp(t, on, 0.09, 2.2, 5) + wob(i, 0.008)),
       series({"service": "artist-lookup", "signal": "errors"}, S, E, lambda t, i: ramp(t, on + mins(2), 0.003, 0.06) + wob(i, 0.001)),
       series({"service": "artist-lookup", "signal": "cpu_usage_cores"}, S, E, lambda t, i: ramp(t, on, 0.50, 0.62, 3) + wob(i, 0.01, 1)),
       series({"service": "artist-lookup", "signal": "cpu_usage_cores_limit"}, S, E, lambda t, i: 2),
       series({"service": "artists-db", "signal": "db_connections"}, S, E,
              lambda t, i: 100 if t >= db_on else round(95 + wob(i, 1.5, 2))),
       series({"service": "artists-db", "signal": "db_connections_max"}, S, E, lambda t, i: 100),
       series({"service": "www-artist", "signal": "errors"}, S, E, lambda t, i: 0.002 + wob(i, 0.0005, 3))],
      logs_steady('artist-lookup', S, E, LOOKUP_NOISE, 180)
      + burst('artist-lookup', on + mins(1), E, 'error', 'request ar_{i} failed after 2000ms: deadline exceeded', 20)
      + logs_steady('artists-db', S, E, DB_NOISE, 400),
      {"top": "resource:default/artists-db", "why": "artists-db connections at 100 of max 100 from 02:11, three minutes before onset; CPU at 0.62 of 2 cores is not saturation"})

# T2 artists-db-too-many-clients
A = T('2026-04-08T15:10:00Z'); S, E = window(A)
db_on = T('2026-04-08T15:02:00Z'); on = T('2026-04-08T15:07:00Z')
write('artists-db-too-many-clients', am('ArtistLookupHighErrorRate', 'artist-lookup', A, 'artist-lookup 5xx above 5% for 3m'),
      [deploy('2026-04-08T15:05:00Z', 'www-artist', '7.4.0', '7.3.0', 'breanna.davison', desc='footer links')],
      [series({"service": "artist-lookup", "signal": "errors"}, S, E, lambda t, i: ramp(t, on, 0.004, 0.11) + wob(i, 0.001)),
       series({"service": "artist-lookup", "signal": "latency_p99_seconds"}, S, E, lambda t, i: ramp(t, on, 0.08, 3.1) + wob(i, 0.006, 1)),
       series({"service": "www-artist", "signal": "errors"}, S, E, lambda t, i: 0.002 + wob(i, 0.0005, 3))],
      logs_steady('artist-lookup', S, E, LOOKUP_NOISE, 180)
      + burst('artist-lookup', on, E, 'error', 'timeout acquiring connection from pool after 3000ms ({i} waiting)', 15)
      + logs_steady('artists-db', S, E, DB_NOISE, 240)
      + burst('artists-db', db_on, E, 'fatal', 'FATAL: sorry, too many clients already', 12, 3),
      {"top": "resource:default/artists-db", "why": "only artists-db's logs show the failure, from 15:02, five minutes before artist-lookup's own new errors"})

# T3 archive-schema-change
A = T('2026-04-09T10:27:00Z'); S, E = window(A)
on = T('2026-04-09T10:23:00Z')
write('archive-schema-change', am('WaybackSearchHighErrorRate', 'wayback-search', A, 'wayback-search 5xx above 5% for 4m'),
      [deploy('2026-04-09T10:20:00Z', 'wayback-archive', '3.0.0', '2.9.6', 'nigel.manning', desc='snapshot API: timestamps as epoch seconds'),
       deploy('2026-04-09T10:21:00Z', 'wayback-search', '1.9.3', '1.9.2', 'janelle.dawe', desc='reword a log line')],
      [series({"service": "wayback-search", "signal": "errors"}, S, E, lambda t, i: ramp(t, on, 0.005, 0.4, 2) + wob(i, 0.001)),
       series({"service": "wayback-archive", "signal": "errors"}, S, E, lambda t, i: 0.003 + wob(i, 0.0006, 2)),
       series({"service": "wayback-archive", "signal": "latency_p99_seconds"}, S, E, lambda t, i: 0.21 + wob(i, 0.01, 2))],
      logs_steady('wayback-search', S, E, SEARCH_NOISE, 180)
      + burst('wayback-search', on + mins(0.5), E, 'error', 'schema mismatch in response from wayback-archive: field timestamp: expected string, got number (snapshot s_{i})', 12)
      + logs_steady('wayback-archive', S, E, ARCHIVE_NOISE, 200),
      {"top": "wayback-archive 3.0.0", "why": "the consumer's new error names wayback-archive, which deployed 3.0.0 a minute before the consumer's own harmless deploy"})

# T4 artist-lookup-change-after-onset
A = T('2026-04-10T14:04:00Z'); S, E = window(A)
on = T('2026-04-10T14:00:00Z')
write('artist-lookup-change-after-onset', am('ArtistLookupHighErrorRate', 'artist-lookup', A, 'artist-lookup 5xx above 5% for 3m'),
      [deploy('2026-04-10T13:55:00Z', 'artist-lookup', '2.4.0', '2.3.0', 'nigel.manning', desc='new image-resizing client'),
       deploy('2026-04-10T14:02:00Z', 'podcast-api', '4.1.0', '4.0.3', 'amelia.park'),
       deploy('2026-04-10T14:03:00Z', 'artist-lookup', kind='config', author='breanna.davison', desc='LOG_LEVEL=debug to investigate')],
      [series({"service": "artist-lookup", "signal": "errors"}, S, E, lambda t, i: ramp(t, on, 0.004, 0.2, 3) + wob(i, 0.001)),
       series({"service": "artists-db", "signal": "db_connections"}, S, E, lambda t, i: 41 + wob(i, 2, 2)),
       series({"service": "artists-db", "signal": "db_connections_max"}, S, E, lambda t, i: 100),
       series({"service": "podcast-api", "signal": "errors"}, S, E, lambda t, i: 0.002 + wob(i, 0.0005, 3))],
      logs_steady('artist-lookup', S, E, LOOKUP_NOISE, 180)
      + burst('artist-lookup', on + mins(0.5), E, 'error', 'panic: runtime error: invalid memory address or nil pointer dereference in resize.Portrait (artist ar_{i})', 15),
      {"top": "artist-lookup 2.4.0", "why": "2.4.0 went out five minutes before onset; the config change came after the service was already failing; podcast-api is not connected"})

# T5 storage-relay-chain
A = T('2026-04-11T06:42:00Z'); S, E = window(A)
st_on = T('2026-04-11T06:32:00Z'); ar_on = T('2026-04-11T06:35:00Z'); on = T('2026-04-11T06:38:00Z')
write('storage-relay-chain', am('WaybackSearchHighErrorRate', 'wayback-search', A, 'wayback-search 5xx above 5% for 4m'),
      [deploy('2026-04-11T06:20:00Z', 'searcher', '0.9.1', '0.9.0', 'guest')],
      [series({"service": "wayback-search", "signal": "errors"}, S, E, lambda t, i: ramp(t, on, 0.005, 0.15) + wob(i, 0.001)),
       series({"service": "wayback-archive", "signal": "errors"}, S, E, lambda t, i: ramp(t, ar_on, 0.003, 0.22) + wob(i, 0.0006, 1)),
       series({"service": "wayback-archive-storage", "signal": "errors"}, S, E, lambda t, i: ramp(t, st_on, 0.001, 0.3) + wob(i, 0.0003, 2)),
       series({"service": "wayback-archive-storage", "signal": "latency_p99_seconds"}, S, E, lambda t, i: ramp(t, st_on - mins(1), 0.04, 1.8) + wob(i, 0.003, 2))],
      logs_steady('wayback-search', S, E, SEARCH_NOISE, 180)
      + burst('wayback-search', on, E, 'error', 'fetch snapshot s_{i} failed: wayback-archive returned 502', 15)
      + logs_steady('wayback-archive', S, E, ARCHIVE_NOISE, 200)
      + burst('wayback-archive', ar_on, E, 'error', 'read snapshot s_{i} failed: wayback-archive-storage returned 503', 12)
      + burst('wayback-archive-storage', st_on, E, 'error', 'read shard sh_{i}: input/output error on /dev/nvme3n1', 10),
      {"top": "component:default/wayback-archive-storage", "why": "storage degraded first and explains wayback-archive's errors, which explain wayback-search's: credit moves down the chain"})

# T6 no-cause-old-own-deploy
A = T('2026-04-12T19:44:00Z'); S, E = window(A)
on = T('2026-04-12T19:40:00Z')
write('no-cause-old-own-deploy', am('ArtistLookupErrorRate', 'artist-lookup', A, 'artist-lookup 5xx above 2% for 3m', 'ticket'),
      [deploy('2026-04-12T18:02:00Z', 'artist-lookup', '2.3.1', '2.3.0', 'nigel.manning'),
       deploy('2026-04-12T19:30:00Z', 'shuffle-api', '12.0.1', '12.0.0', 'guest')],
      [series({"service": "artist-lookup", "signal": "errors"}, S, E, lambda t, i: ramp(t, on, 0.004, 0.025) + wob(i, 0.001)),
       series({"service": "artists-db", "signal": "db_connections"}, S, E, lambda t, i: 38 + wob(i, 2, 2)),
       series({"service": "artists-db", "signal": "db_connections_max"}, S, E, lambda t, i: 100),
       series({"service": "shuffle-api", "signal": "errors"}, S, E, lambda t, i: 0.002 + wob(i, 0.0005, 3))],
      logs_steady('artist-lookup', S, E, LOOKUP_NOISE + [('error', 'upstream image CDN returned 503 for ar_{i}')], 90),
      {"top": "no clear cause", "why": "the only change to the service is 1h38m old with a clean run since; nothing else moved"})

# T7 artist-lookup-rollback-done
A = T('2026-04-13T09:46:00Z'); S, E = window(A)
on = T('2026-04-13T09:43:00Z'); rb = T('2026-04-13T09:49:00Z')
write('artist-lookup-rollback-done', am('ArtistLookupHighErrorRate', 'artist-lookup', A, 'artist-lookup 5xx above 5% for 3m'),
      [deploy('2026-04-13T09:38:00Z', 'www-artist', '7.5.0', '7.4.0', 'janelle.dawe'),
       deploy('2026-04-13T09:40:00Z', 'artist-lookup', '2.5.0', '2.4.9', 'nigel.manning', desc='faster JSON serializer'),
       deploy('2026-04-13T09:49:00Z', 'artist-lookup', '2.4.9', '2.5.0', 'nigel.manning', desc='rollback 2.5.0')],
      [series({"service": "artist-lookup", "signal": "errors"}, S, E,
              lambda t, i: (ramp(t, on, 0.004, 0.18, 3) if t < rb + mins(1) else down(t, rb + mins(1), 0.18, 0.004)) + wob(i, 0.001)),
       series({"service": "www-artist", "signal": "errors"}, S, E, lambda t, i: 0.002 + wob(i, 0.0005, 3))],
      logs_steady('artist-lookup', S, E, LOOKUP_NOISE, 180)
      + burst('artist-lookup', on, rb + mins(2), 'error', 'encode response for ar_{i}: invalid UTF-8 sequence in field name', 12),
      {"top": "artist-lookup 2.5.0", "why": "2.5.0 broke encoding; it was already rolled back at 09:49 so no rollback may be proposed",
       "notPlanned": ["rollback"]})

# ---- held-out -------------------------------------------------------------------------------------

# H1 storage-disk-at-capacity
A = T('2026-04-14T22:12:00Z'); S, E = window(A)
full = T('2026-04-14T22:05:00Z'); on = T('2026-04-14T22:08:00Z')
CAP = 2e12
write('storage-disk-at-capacity', am('WaybackArchiveHighErrorRate', 'wayback-archive', A, 'wayback-archive 5xx above 5% for 4m'),
      [],
      [series({"service": "wayback-archive", "signal": "errors"}, S, E, lambda t, i: ramp(t, on, 0.003, 0.14) + wob(i, 0.0008)),
       series({"service": "wayback-archive", "signal": "cpu_usage_cores"}, S, E, lambda t, i: ramp(t, on, 0.45, 0.60, 3) + wob(i, 0.01, 1)),
       series({"service": "wayback-archive", "signal": "cpu_usage_cores_limit"}, S, E, lambda t, i: 4),
       series({"service": "wayback-archive", "signal": "memory_utilization_ratio"}, S, E, lambda t, i: 0.88 + wob(i, 0.004, 4)),
       series({"service": "wayback-archive-storage", "signal": "disk_used_bytes"}, S, E,
              lambda t, i: CAP if t >= full + mins(2) else (ramp(t, full, 0.965 * CAP, CAP, 2) + wob(i, 0.002 * CAP, 2))),
       series({"service": "wayback-archive-storage", "signal": "disk_used_bytes_capacity"}, S, E, lambda t, i: CAP)],
      logs_steady('wayback-archive', S, E, ARCHIVE_NOISE + [('warn', 'slow snapshot read s_{i}: 900ms')], 150)
      + burst('wayback-archive', on, E, 'error', 'store snapshot s_{i} failed: wayback-archive-storage write rejected', 15)
      + burst('wayback-archive-storage', full + mins(2), E, 'error', 'write shard sh_{i}: no space left on device', 12),
      {"top": "component:default/wayback-archive-storage", "why": "the storage volume reached its capacity at 22:05-22:07; the archive's CPU at 0.6 of 4 cores and flat memory are not the cause"})

# H2 archive-errors-only-in-logs
A = T('2026-04-15T11:57:00Z'); S, E = window(A)
dep_on = T('2026-04-15T11:48:00Z'); on = T('2026-04-15T11:53:00Z')
write('archive-errors-only-in-logs', am('WaybackSearchHighErrorRate', 'wayback-search', A, 'wayback-search 5xx above 5% for 4m'),
      [deploy('2026-04-15T11:03:00Z', 'wayback-search', '1.9.4', '1.9.3', 'janelle.dawe')],
      [series({"service": "wayback-search", "signal": "errors"}, S, E, lambda t, i: ramp(t, on, 0.005, 0.2) + wob(i, 0.001))],
      logs_steady('wayback-search', S, E, SEARCH_NOISE, 180)
      + burst('wayback-search', on, E, 'error', 'fetch snapshot s_{i} failed: context deadline exceeded', 15)
      + logs_steady('wayback-archive', S, E, ARCHIVE_NOISE, 120)
      + burst('wayback-archive', dep_on, E, 'error', 'object store request failed: 403 AccessDenied (request {h})', 10),
      {"top": "component:default/wayback-archive", "why": "only wayback-archive's logs show the failure, five minutes before the consumer's new errors"})

# H3 artists-db-migration-named
A = T('2026-04-16T16:28:00Z'); S, E = window(A)
on = T('2026-04-16T16:24:00Z')
write('artists-db-migration-named', am('ArtistLookupHighLatency', 'artist-lookup', A, 'artist-lookup p99 above 1s for 4m'),
      [deploy('2026-04-16T16:20:00Z', 'artists-db', kind='config', author='nigel.manning', desc='drop index artists_name_idx, rebuild concurrently', kind_prefix='resource'),
       deploy('2026-04-16T16:25:00Z', 'artist-lookup', '2.6.1', '2.6.0', 'breanna.davison', desc='bump logging library')],
      [series({"service": "artist-lookup", "signal": "latency_p99_seconds"}, S, E, lambda t, i: ramp(t, on, 0.1, 5.2) + wob(i, 0.008)),
       series({"service": "artist-lookup", "signal": "errors"}, S, E, lambda t, i: ramp(t, on + mins(1), 0.004, 0.09) + wob(i, 0.001, 1)),
       series({"service": "artists-db", "signal": "db_connections"}, S, E, lambda t, i: 40 + wob(i, 2, 2)),
       series({"service": "artists-db", "signal": "db_connections_max"}, S, E, lambda t, i: 100)],
      logs_steady('artist-lookup', S, E, LOOKUP_NOISE, 180)
      + burst('artist-lookup', on + mins(0.5), E, 'error', 'query against artists-db exceeded statement timeout (5000ms) for ar_{i}', 15),
      {"top": "resource:default/artists-db", "why": "the new errors name artists-db, changed four minutes before onset; the service's own deploy came after onset"})

# H4 search-unconnected-and-after-onset
A = T('2026-04-17T07:57:00Z'); S, E = window(A)
ar_on = T('2026-04-17T07:51:00Z'); on = T('2026-04-17T07:53:00Z')
write('search-unconnected-and-after-onset', am('WaybackSearchHighErrorRate', 'wayback-search', A, 'wayback-search 5xx above 5% for 4m'),
      [deploy('2026-04-17T07:30:00Z', 'wayback-archive', '3.2.0', '3.1.2', 'nigel.manning', desc='cursor-based pagination (canary rollout)'),
       deploy('2026-04-17T07:52:00Z', 'queue-proxy', '1.12.0', '1.11.4', 'colette.brock'),
       deploy('2026-04-17T07:54:00Z', 'playback-order', '0.33.0', '0.32.1', 'guest'),
       deploy('2026-04-17T07:55:00Z', 'wayback-search', kind='config', author='janelle.dawe', desc='raise archive client timeout to 10s')],
      [series({"service": "wayback-search", "signal": "errors"}, S, E, lambda t, i: ramp(t, on, 0.005, 0.12) + wob(i, 0.001)),
       series({"service": "wayback-archive", "signal": "errors"}, S, E, lambda t, i: ramp(t, ar_on, 0.003, 0.3) + wob(i, 0.0006, 1)),
       series({"service": "queue-proxy", "signal": "errors"}, S, E, lambda t, i: 0.001 + wob(i, 0.0003, 3))],
      logs_steady('wayback-search', S, E, SEARCH_NOISE, 180)
      + burst('wayback-search', on, E, 'error', 'list snapshots page 2 failed: upstream returned 500', 15)
      + logs_steady('wayback-archive', S, E, ARCHIVE_NOISE, 200)
      + burst('wayback-archive', ar_on, E, 'error', 'panic recovered in ListSnapshots: cursor out of range (request {h})', 12),
      {"top": "wayback-archive 3.2.0", "why": "the archive's rollout completed just before its own errors; the unconnected deploys and the after-onset config change are noise"})

# H5 ingestion-deploy-chain
A = T('2026-04-18T08:21:00Z'); S, E = window(A)
ar_on = T('2026-04-18T08:14:00Z'); on = T('2026-04-18T08:17:00Z')
write('ingestion-deploy-chain', am('WaybackSearchHighErrorRate', 'wayback-search', A, 'wayback-search 5xx above 5% for 4m'),
      [deploy('2026-04-18T08:10:00Z', 'wayback-archive-ingestion', '5.0.0', '4.8.2', 'eva.macdowell', desc='index key format v5'),
       deploy('2026-04-18T08:12:00Z', 'petstore', '1.0.7', '1.0.6', 'tara.macgovern')],
      [series({"service": "wayback-search", "signal": "errors"}, S, E, lambda t, i: ramp(t, on, 0.005, 0.18) + wob(i, 0.001)),
       series({"service": "wayback-archive", "signal": "errors"}, S, E, lambda t, i: ramp(t, ar_on, 0.003, 0.25) + wob(i, 0.0006, 1)),
       series({"service": "wayback-archive-ingestion", "signal": "errors"}, S, E, lambda t, i: 0.002 + wob(i, 0.0004, 2))],
      logs_steady('wayback-search', S, E, SEARCH_NOISE, 180)
      + burst('wayback-search', on, E, 'error', 'fetch snapshot s_{i} failed: wayback-archive returned 500', 15)
      + logs_steady('wayback-archive', S, E, ARCHIVE_NOISE, 200)
      + burst('wayback-archive', ar_on, E, 'error', 'index lookup failed for key k_{i}: wayback-archive-ingestion wrote unknown key format v5', 12)
      + logs_steady('wayback-archive-ingestion', S, E, [('info', 'ingested batch b_{i}')], 300),
      {"top": "wayback-archive-ingestion 5.0.0", "why": "the archive's new errors name the ingestion part, deployed four minutes before them; team-d owns it",
       "pages": ["group:default/team-d"]})

# H6 no-cause-unconnected-noise
A = T('2026-04-19T04:14:00Z'); S, E = window(A)
on = T('2026-04-19T04:10:00Z')
write('no-cause-unconnected-noise', am('WaybackSearchErrorRate', 'wayback-search', A, 'wayback-search 5xx above 2% for 3m', 'ticket'),
      [deploy('2026-04-19T04:06:00Z', 'searcher', '0.9.3', '0.9.2', 'guest'),
       deploy('2026-04-19T04:08:00Z', 'playback-order', '0.34.0', '0.33.0', 'guest')],
      [series({"service": "wayback-search", "signal": "errors"}, S, E, lambda t, i: ramp(t, on, 0.005, 0.03) + wob(i, 0.001)),
       series({"service": "wayback-search", "signal": "latency_p99_seconds"}, S, E, lambda t, i: ramp(t, on, 0.3, 0.9) + wob(i, 0.01, 1)),
       series({"service": "wayback-archive", "signal": "errors"}, S, E, lambda t, i: 0.003 + wob(i, 0.0006, 2))],
      logs_steady('wayback-search', S, E, SEARCH_NOISE, 90)
      + logs_steady('wayback-archive', S, E, ARCHIVE_NOISE, 120),
      {"top": "no clear cause", "why": "nothing connected changed or degraded; the two deploys are of unconnected services"})

# H7 archive-rollback-done
A = T('2026-04-20T12:08:00Z'); S, E = window(A)
ar_on = T('2026-04-20T12:03:00Z'); on = T('2026-04-20T12:05:00Z'); rb = T('2026-04-20T12:10:00Z')
write('archive-rollback-done', am('WaybackSearchHighErrorRate', 'wayback-search', A, 'wayback-search 5xx above 5% for 3m'),
      [deploy('2026-04-20T11:20:00Z', 'wayback-search', kind='config', author='janelle.dawe', desc='enable query logging sample 1%'),
       deploy('2026-04-20T12:00:00Z', 'wayback-archive', '3.1.0', '3.0.4', 'nigel.manning', desc='follow redirects in archived pages'),
       deploy('2026-04-20T12:10:00Z', 'wayback-archive', '3.0.4', '3.1.0', 'nigel.manning', desc='rollback 3.1.0')],
      [series({"service": "wayback-search", "signal": "errors"}, S, E, lambda t, i: (ramp(t, on, 0.005, 0.1) if t < rb + mins(2) else down(t, rb + mins(2), 0.1, 0.005)) + wob(i, 0.001)),
       series({"service": "wayback-archive", "signal": "errors"}, S, E, lambda t, i: (ramp(t, ar_on, 0.003, 0.3) if t < rb + mins(1) else down(t, rb + mins(1), 0.3, 0.003)) + wob(i, 0.0006, 1))],
      logs_steady('wayback-search', S, E, SEARCH_NOISE, 180)
      + burst('wayback-search', on, rb + mins(4), 'error', 'fetch snapshot s_{i} failed: wayback-archive returned 500', 15)
      + logs_steady('wayback-archive', S, E, ARCHIVE_NOISE, 200)
      + burst('wayback-archive', ar_on, rb + mins(1), 'error', 'render snapshot s_{i}: redirect loop detected', 12),
      {"top": "wayback-archive 3.1.0", "why": "3.1.0 broke the archive; the owner already rolled it back at 12:10, so no rollback is proposed",
       "notPlanned": ["rollback"], "pages": ["group:default/team-a"]})

# ---- tuning, added after the first held-out measurement ------------------------------------------

# T8 storage-format-deploy
A = T('2026-04-21T17:13:00Z'); S, E = window(A)
ar_on = T('2026-04-21T17:06:00Z'); on = T('2026-04-21T17:09:00Z')
write('storage-format-deploy', am('WaybackSearchHighErrorRate', 'wayback-search', A, 'wayback-search 5xx above 5% for 4m'),
      [deploy('2026-04-21T17:02:00Z', 'wayback-archive-storage', '2.0.0', '1.14.3', 'nigel.manning', desc='segment header v2'),
       deploy('2026-04-21T17:05:00Z', 'shuffle-api', '12.1.0', '12.0.1', 'guest')],
      [series({"service": "wayback-search", "signal": "errors"}, S, E, lambda t, i: ramp(t, on, 0.005, 0.16) + wob(i, 0.001)),
       series({"service": "wayback-archive", "signal": "errors"}, S, E, lambda t, i: ramp(t, ar_on, 0.003, 0.27) + wob(i, 0.0006, 1)),
       series({"service": "wayback-archive-storage", "signal": "errors"}, S, E, lambda t, i: 0.001 + wob(i, 0.0003, 2))],
      logs_steady('wayback-search', S, E, SEARCH_NOISE, 180)
      + burst('wayback-search', on, E, 'error', 'fetch snapshot s_{i} failed: wayback-archive returned 500', 15)
      + logs_steady('wayback-archive', S, E, ARCHIVE_NOISE, 200)
      + burst('wayback-archive', ar_on, E, 'error', 'decode segment sg_{i} from wayback-archive-storage: malformed header', 12),
      {"top": "wayback-archive-storage 2.0.0", "why": "the relay's new errors name storage, which deployed before the relay went wrong"})

# ---- held-out, batch 2 (written after the engine changes; measured once) --------------------------

# H8 lookup-cpu-at-limit
A = T('2026-04-22T03:30:00Z'); S, E = window(A)
cpu_on = T('2026-04-22T03:20:00Z'); on = T('2026-04-22T03:26:00Z')
write('lookup-cpu-at-limit', am('ArtistLookupHighLatency', 'artist-lookup', A, 'artist-lookup p99 above 1s for 4m'),
      [deploy('2026-04-22T03:22:00Z', 'podcast-api', '4.2.0', '4.1.0', 'amelia.park')],
      [series({"service": "artist-lookup", "signal": "latency_p99_seconds"}, S, E, lambda t, i: ramp(t, on, 0.09, 1.9, 4) + wob(i, 0.008)),
       series({"service": "artist-lookup", "signal": "cpu_usage_cores"}, S, E, lambda t, i: min(2.0, ramp(t, cpu_on, 1.2, 2.0, 4) + wob(i, 0.03, 1))),
       series({"service": "artist-lookup", "signal": "cpu_usage_cores_limit"}, S, E, lambda t, i: 2),
       series({"service": "artists-db", "signal": "db_connections"}, S, E, lambda t, i: 70 + wob(i, 2, 2)),
       series({"service": "artists-db", "signal": "db_connections_max"}, S, E, lambda t, i: 100),
       series({"service": "podcast-api", "signal": "errors"}, S, E, lambda t, i: 0.002 + wob(i, 0.0005, 3))],
      logs_steady('artist-lookup', S, E, LOOKUP_NOISE, 150),
      {"top": "cpu_usage_cores", "why": "artist-lookup's CPU reached its 2-core limit six minutes before latency rose; nothing changed"})

# H9 archive-config-named
A = T('2026-04-23T05:06:00Z'); S, E = window(A)
on = T('2026-04-23T05:02:00Z')
write('archive-config-named', am('WaybackSearchHighErrorRate', 'wayback-search', A, 'wayback-search 5xx above 5% for 4m'),
      [deploy('2026-04-23T05:00:00Z', 'wayback-archive', kind='config', author='nigel.manning', desc='max page size 10'),
       deploy('2026-04-23T05:01:00Z', 'wayback-search', '2.0.1', '2.0.0', 'janelle.dawe', desc='bump http client'),
       deploy('2026-04-23T05:02:00Z', 'queue-proxy', '1.12.1', '1.12.0', 'colette.brock'),
       deploy('2026-04-23T05:09:00Z', 'wayback-archive-ingestion', '4.8.3', '4.8.2', 'eva.macdowell')],
      [series({"service": "wayback-search", "signal": "errors"}, S, E, lambda t, i: ramp(t, on, 0.005, 0.3, 2) + wob(i, 0.001)),
       series({"service": "wayback-archive", "signal": "errors"}, S, E, lambda t, i: 0.003 + wob(i, 0.0006, 2))],
      logs_steady('wayback-search', S, E, SEARCH_NOISE, 180)
      + burst('wayback-search', on, E, 'error', 'wayback-archive rejected page size 50: 400 Bad Request (query q_{i})', 12)
      + logs_steady('wayback-archive', S, E, ARCHIVE_NOISE, 200),
      {"top": "config change to wayback-archive", "why": "the consumer's new errors name the archive, whose config changed two minutes before onset"})

# H10 artists-db-disk-logs
A = T('2026-04-24T21:38:00Z'); S, E = window(A)
db_on = T('2026-04-24T21:30:00Z'); on = T('2026-04-24T21:34:00Z')
write('artists-db-disk-logs', am('ArtistLookupHighErrorRate', 'artist-lookup', A, 'artist-lookup 5xx above 5% for 3m'),
      [deploy('2026-04-24T21:00:00Z', 'artist-lookup', '3.0.2', '3.0.1', 'breanna.davison')],
      [series({"service": "artist-lookup", "signal": "errors"}, S, E, lambda t, i: ramp(t, on, 0.004, 0.15) + wob(i, 0.001))],
      logs_steady('artist-lookup', S, E, LOOKUP_NOISE, 180)
      + burst('artist-lookup', on, E, 'error', 'could not save artist profile ar_{i}: write failed', 15)
      + logs_steady('artists-db', S, E, DB_NOISE, 240)
      + burst('artists-db', db_on, E, 'panic', 'PANIC: could not write to file "pg_wal/xlogtemp.{i}": No space left on device', 20, 5),
      {"top": "resource:default/artists-db", "why": "only the database's log shows the failure, four minutes before the service's own new errors"})

# H11 no-cause-dependent-deploy
A = T('2026-04-25T13:19:00Z'); S, E = window(A)
on = T('2026-04-25T13:15:00Z')
write('no-cause-dependent-deploy', am('WaybackArchiveLatency', 'wayback-archive', A, 'wayback-archive p99 above 800ms for 4m', 'ticket'),
      [deploy('2026-04-25T13:12:00Z', 'wayback-search', '1.10.0', '1.9.4', 'janelle.dawe'),
       deploy('2026-04-25T13:13:00Z', 'petstore', '1.0.8', '1.0.7', 'tara.macgovern')],
      [series({"service": "wayback-archive", "signal": "latency_p99_seconds"}, S, E, lambda t, i: ramp(t, on, 0.3, 0.95) + wob(i, 0.01)),
       series({"service": "wayback-archive-storage", "signal": "errors"}, S, E, lambda t, i: 0.001 + wob(i, 0.0003, 2)),
       series({"service": "wayback-archive-ingestion", "signal": "errors"}, S, E, lambda t, i: 0.002 + wob(i, 0.0004, 3))],
      logs_steady('wayback-archive', S, E, ARCHIVE_NOISE, 120)
      + logs_steady('wayback-archive-storage', S, E, [('info', 'compacted shard sh_{i}'), ('error', 'slow disk read on shard sh_{i}: 180ms')], 300),
      {"top": "no clear cause", "why": "only a dependent and an unconnected service changed; nothing the archive depends on moved"})

# ---- held-out, batch 3 (written after all engine changes; run once) -------------------------------

# H12 search-own-deploy-archive-after
A = T('2026-04-26T09:07:00Z'); S, E = window(A)
on = T('2026-04-26T09:03:00Z'); ar_on = T('2026-04-26T09:06:00Z')
write('search-own-deploy-archive-after', am('WaybackSearchHighErrorRate', 'wayback-search', A, 'wayback-search 5xx above 5% for 4m'),
      [deploy('2026-04-26T08:58:00Z', 'artist-lookup', '3.1.0', '3.0.2', 'nigel.manning'),
       deploy('2026-04-26T09:00:00Z', 'wayback-search', '1.11.0', '1.10.0', 'janelle.dawe', desc='new query parser')],
      [series({"service": "wayback-search", "signal": "errors"}, S, E, lambda t, i: ramp(t, on, 0.005, 0.25, 2) + wob(i, 0.001)),
       series({"service": "wayback-archive", "signal": "latency_p99_seconds"}, S, E, lambda t, i: ramp(t, ar_on, 0.2, 0.75) + wob(i, 0.01, 1)),
       series({"service": "wayback-archive", "signal": "errors"}, S, E, lambda t, i: 0.003 + wob(i, 0.0006, 2))],
      logs_steady('wayback-search', S, E, SEARCH_NOISE, 180)
      + burst('wayback-search', on, E, 'error', 'panic: runtime error: index out of range [3] with length 3 in parser.Phrase (query q_{i})', 12)
      + logs_steady('wayback-archive', S, E, ARCHIVE_NOISE, 200),
      {"top": "wayback-search 1.11.0", "why": "the service's own deploy preceded its panics; the archive slowed only after, under retries"})

# H13 artists-db-rise-unknown-max
A = T('2026-04-27T18:19:00Z'); S, E = window(A)
db_on = T('2026-04-27T18:10:00Z'); on = T('2026-04-27T18:15:00Z')
write('artists-db-rise-unknown-max', am('ArtistLookupHighLatency', 'artist-lookup', A, 'artist-lookup p99 above 1s for 4m'),
      [deploy('2026-04-27T18:12:00Z', 'www-artist', '7.6.0', '7.5.0', 'janelle.dawe')],
      [series({"service": "artist-lookup", "signal": "latency_p99_seconds"}, S, E, lambda t, i: ramp(t, on, 0.09, 2.6, 4) + wob(i, 0.008)),
       series({"service": "artists-db", "signal": "db_connections"}, S, E, lambda t, i: ramp(t, db_on, 40, 180, 8) + wob(i, 2, 2)),
       series({"service": "www-artist", "signal": "errors"}, S, E, lambda t, i: 0.002 + wob(i, 0.0005, 3))],
      logs_steady('artist-lookup', S, E, LOOKUP_NOISE, 180)
      + burst('artist-lookup', on + mins(1), E, 'error', 'request ar_{i} failed after 2000ms: deadline exceeded', 20)
      + logs_steady('artists-db', S, E, DB_NOISE, 300),
      {"top": "resource:default/artists-db", "why": "the database's connections rose far above their baseline five minutes before the latency did"})

# H14 ingestion-rollback-done
A = T('2026-04-28T15:29:00Z'); S, E = window(A)
ar_on = T('2026-04-28T15:24:00Z'); on = T('2026-04-28T15:26:00Z'); rb = T('2026-04-28T15:31:00Z')
write('ingestion-rollback-done', am('WaybackSearchHighErrorRate', 'wayback-search', A, 'wayback-search 5xx above 5% for 3m'),
      [deploy('2026-04-28T15:20:00Z', 'wayback-archive-ingestion', '5.1.0', '5.0.0', 'lucy.sheehan', desc='compact index records'),
       deploy('2026-04-28T15:22:00Z', 'queue-proxy', '1.13.0', '1.12.1', 'colette.brock'),
       deploy('2026-04-28T15:31:00Z', 'wayback-archive-ingestion', '5.0.0', '5.1.0', 'lucy.sheehan', desc='rollback 5.1.0')],
      [series({"service": "wayback-search", "signal": "errors"}, S, E, lambda t, i: (ramp(t, on, 0.005, 0.12) if t < rb + mins(3) else down(t, rb + mins(3), 0.12, 0.005)) + wob(i, 0.001)),
       series({"service": "wayback-archive", "signal": "errors"}, S, E, lambda t, i: (ramp(t, ar_on, 0.003, 0.2) if t < rb + mins(2) else down(t, rb + mins(2), 0.2, 0.003)) + wob(i, 0.0006, 1)),
       series({"service": "wayback-archive-ingestion", "signal": "errors"}, S, E, lambda t, i: 0.002 + wob(i, 0.0004, 2))],
      logs_steady('wayback-search', S, E, SEARCH_NOISE, 180)
      + burst('wayback-search', on, rb + mins(4), 'error', 'fetch snapshot s_{i} failed: wayback-archive returned 500', 15)
      + logs_steady('wayback-archive', S, E, ARCHIVE_NOISE, 200)
      + burst('wayback-archive', ar_on, rb + mins(3), 'error', 'index record k_{i} truncated, written by wayback-archive-ingestion', 12),
      {"top": "wayback-archive-ingestion 5.1.0", "why": "the ingestion deploy broke the index the archive reads; team-d already rolled it back",
       "notPlanned": ["rollback"], "pages": ["group:default/team-d"]})

# H15 lookup-config-replica
A = T('2026-04-29T11:46:00Z'); S, E = window(A)
on = T('2026-04-29T11:42:00Z')
write('lookup-config-replica', am('ArtistLookupHighErrorRate', 'artist-lookup', A, 'artist-lookup 5xx above 5% for 3m'),
      [deploy('2026-04-29T11:40:00Z', 'artist-lookup', kind='config', author='breanna.davison', desc='read replica DB_HOST=artists-db-replica-2.internal'),
       deploy('2026-04-29T11:41:00Z', 'shuffle-api', '12.2.0', '12.1.0', 'guest')],
      [series({"service": "artist-lookup", "signal": "errors"}, S, E, lambda t, i: ramp(t, on, 0.004, 0.3, 2) + wob(i, 0.001)),
       series({"service": "artists-db", "signal": "db_connections"}, S, E, lambda t, i: 35 + wob(i, 2, 2)),
       series({"service": "artists-db", "signal": "db_connections_max"}, S, E, lambda t, i: 100)],
      logs_steady('artist-lookup', S, E, LOOKUP_NOISE, 180)
      + burst('artist-lookup', on, E, 'error', 'could not connect to artists-db-replica-2.internal: password authentication failed for user "lookup"', 15)
      + logs_steady('artists-db', S, E, DB_NOISE, 300),
      {"top": "config change to artist-lookup", "why": "the service's own config change pointed it at a host that rejects it; the database is healthy"})
