package catalog

// entityFromMap fills an Entity from the fast parser's generic map with
// the same result yaml.v3's struct decoding gives. Any type it does not
// expect returns ok=false so yaml.v3 produces its usual error.
func entityFromMap(m map[string]any) (Entity, bool) {
	var e Entity
	var ok bool
	if e.APIVersion, ok = optString(m["apiVersion"]); !ok {
		return e, false
	}
	if e.Kind, ok = optString(m["kind"]); !ok {
		return e, false
	}
	switch md := m["metadata"].(type) {
	case nil:
	case map[string]any:
		if e.Metadata, ok = metadataFromMap(md); !ok {
			return e, false
		}
	default:
		return e, false
	}
	switch sp := m["spec"].(type) {
	case nil:
	case map[string]any:
		e.Spec = sp
	default:
		return e, false
	}
	switch rs := m["relations"].(type) {
	case nil:
	case []any:
		for _, x := range rs {
			rm, isMap := x.(map[string]any)
			if !isMap {
				return e, false
			}
			var r Relation
			if r.Type, ok = optString(rm["type"]); !ok {
				return e, false
			}
			if r.TargetRef, ok = optString(rm["targetRef"]); !ok {
				return e, false
			}
			e.Relations = append(e.Relations, r)
		}
	default:
		return e, false
	}
	return e, true
}

func metadataFromMap(m map[string]any) (Metadata, bool) {
	var md Metadata
	ok := true
	str := func(key string, dst *string) {
		if ok {
			*dst, ok = optString(m[key])
		}
	}
	str("name", &md.Name)
	str("namespace", &md.Namespace)
	str("title", &md.Title)
	str("description", &md.Description)
	str("uid", &md.UID)
	str("etag", &md.Etag)
	if !ok {
		return md, false
	}
	if md.Labels, ok = stringMap(m["labels"], 0); !ok {
		return md, false
	}
	// The loader adds two location annotations; room for them up front
	// saves growing every entity's map.
	if md.Annotations, ok = stringMap(m["annotations"], 2); !ok {
		return md, false
	}
	switch tags := m["tags"].(type) {
	case nil:
	case []any:
		md.Tags = make([]string, 0, len(tags))
		for _, t := range tags {
			s, isStr := t.(string)
			if !isStr {
				return md, false
			}
			md.Tags = append(md.Tags, s)
		}
	default:
		return md, false
	}
	switch links := m["links"].(type) {
	case nil:
	case []any:
		md.Links = make([]Link, 0, len(links))
		for _, x := range links {
			lm, isMap := x.(map[string]any)
			if !isMap {
				return md, false
			}
			var l Link
			for key, dst := range map[string]*string{"url": &l.URL, "title": &l.Title, "icon": &l.Icon, "type": &l.Type} {
				if *dst, ok = optString(lm[key]); !ok {
					return md, false
				}
			}
			md.Links = append(md.Links, l)
		}
	default:
		return md, false
	}
	return md, true
}

// optString accepts a string or nothing; yaml.v3 would reject or coerce
// anything else, so the caller falls back to it.
func optString(v any) (string, bool) {
	switch t := v.(type) {
	case nil:
		return "", true
	case string:
		return t, true
	}
	return "", false
}

func stringMap(v any, extra int) (map[string]string, bool) {
	switch t := v.(type) {
	case nil:
		return nil, true
	case map[string]any:
		out := make(map[string]string, len(t)+extra)
		for k, x := range t {
			s, isStr := x.(string)
			if !isStr {
				return nil, false
			}
			out[k] = s
		}
		return out, true
	}
	return nil, false
}
