package crawler

import (
	"net/url"
	"sort"
	"strings"
)

// trackingParams are query parameters that identify a campaign or referrer,
// not a document.
var trackingParams = map[string]bool{
	"fbclid": true, "gclid": true, "dclid": true, "msclkid": true, "mc_cid": true, "mc_eid": true,
	"ref": true, "ref_src": true, "_hsenc": true, "_hsmi": true, "igshid": true, "yclid": true,
	"mkt_tok": true, "oly_anon_id": true, "oly_enc_id": true, "vero_id": true, "wt.mc_id": true,
}

// CanonicalURL lowercases scheme/host, drops default ports, fragments and
// tracking parameters (utm_*, fbclid, gclid, mc_cid, mc_eid, ref, …) and sorts
// the rest of the query. A URL that does not parse is returned trimmed.
func CanonicalURL(raw string) string {
	raw = strings.TrimSpace(raw)
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return raw
	}
	u.Scheme = strings.ToLower(u.Scheme)
	host := strings.ToLower(u.Hostname())
	port := u.Port()
	if (u.Scheme == "http" && port == "80") || (u.Scheme == "https" && port == "443") {
		port = ""
	}
	host = strings.TrimSuffix(host, ".")
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	if port != "" {
		host += ":" + port
	}
	u.Host = host
	u.Fragment, u.RawFragment = "", ""
	if u.Path == "" {
		u.Path = "/"
	}
	if u.RawQuery != "" {
		u.RawQuery = canonicalQuery(u.RawQuery)
	}
	u.ForceQuery = false
	return u.String()
}

// canonicalQuery drops tracking parameters and sorts the rest by key, keeping
// the order of repeated values (it can matter to the server).
func canonicalQuery(q string) string {
	type kv struct{ k, raw string }
	var kept []kv
	for part := range strings.SplitSeq(q, "&") {
		if part == "" {
			continue
		}
		k, _, _ := strings.Cut(part, "=")
		key, err := url.QueryUnescape(k)
		if err != nil {
			key = k
		}
		lk := strings.ToLower(key)
		if strings.HasPrefix(lk, "utm_") || trackingParams[lk] {
			continue
		}
		kept = append(kept, kv{key, part})
	}
	sort.SliceStable(kept, func(i, j int) bool { return kept[i].k < kept[j].k })
	parts := make([]string, len(kept))
	for i, p := range kept {
		parts[i] = p.raw
	}
	return strings.Join(parts, "&")
}
