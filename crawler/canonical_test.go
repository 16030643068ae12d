package crawler

import "testing"

func TestCanonicalURL(t *testing.T) {
	t.Parallel()
	cases := []struct{ in, want string }{
		{"HTTPS://WWW.DHS.GOV:443/news/2017/09/13/bod-17-01?utm_source=rss&utm_medium=email#main", "https://www.dhs.gov/news/2017/09/13/bod-17-01"},
		{"http://Example.gov:80", "http://example.gov/"},
		{"http://example.gov:8080/a?b=2&a=1&fbclid=x&gclid=y&mc_cid=1&mc_eid=2&ref=home", "http://example.gov:8080/a?a=1&b=2"},
		{"https://www.federalregister.gov/documents/2019/05/21/2019-10616/addition-of-entities?ref=x&page=2&page=1", "https://www.federalregister.gov/documents/2019/05/21/2019-10616/addition-of-entities?page=2&page=1"},
		{"https://example.gov/search?q=Kaspersky%20Lab&UTM_Campaign=z", "https://example.gov/search?q=Kaspersky%20Lab"},
		{"https://example.gov/a?", "https://example.gov/a"},
		{"  https://example.gov./path  ", "https://example.gov/path"},
		{"not a url", "not a url"},
	}
	for _, tc := range cases {
		if got := CanonicalURL(tc.in); got != tc.want {
			t.Errorf("CanonicalURL(%q) = %q, want %q", tc.in, got, tc.want)
		}
		if got := CanonicalURL(CanonicalURL(tc.in)); got != CanonicalURL(tc.in) {
			t.Errorf("CanonicalURL is not idempotent on %q: %q", tc.in, got)
		}
	}
}

func TestPublicAddr(t *testing.T) {
	t.Parallel()
	for addr, want := range map[string]bool{
		"8.8.8.8:443": true, "[2606:4700::1111]:443": true,
		"127.0.0.1:80": false, "10.0.0.1:80": false, "172.16.5.4:80": false, "192.168.1.1:80": false,
		"169.254.169.254:80": false, "[fd00:ec2::254]:80": false, "0.0.0.0:80": false, "[::]:80": false,
		"[::1]:80": false, "224.0.0.1:80": false, "100.64.1.1:80": false, "[::ffff:127.0.0.1]:80": false,
		"[fe80::1]:80": false, "255.255.255.255:80": false,
	} {
		c := New(Config{}, nil, nil)
		err := c.guard("tcp", addr, nil)
		if got := err == nil; got != want {
			t.Errorf("guard(%s) = %v, want allowed %v", addr, err, want)
		}
	}
}

func FuzzCanonicalURL(f *testing.F) {
	f.Add("https://www.dhs.gov/news?utm_source=x&b=1&a=2#frag")
	f.Add("http://[::1]:80/")
	f.Fuzz(func(t *testing.T, raw string) {
		once := CanonicalURL(raw)
		if twice := CanonicalURL(once); twice != once {
			t.Errorf("not idempotent: %q -> %q -> %q", raw, once, twice)
		}
	})
}
