package crawler

import (
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"sync/atomic"
	"syscall"
	"time"
)

// ErrBodyTooLarge is returned for a response whose (decompressed) body exceeds
// Config.MaxBodyBytes. The body is cut there, never read whole.
var ErrBodyTooLarge = errors.New("body exceeds size cap")

// ErrPrivateAddress is returned when a dial would reach a loopback, private,
// link-local, metadata, unspecified or multicast address and private networks
// are not allowed.
var ErrPrivateAddress = errors.New("refusing private network address")

// newTransport builds the shared connection pool. Compression is handled by
// meteredTransport (so the decompressed size can be capped), proxies are never
// taken from the environment (the dial guard must see the real target), and
// every dial goes through guard, which sees the resolved address: redirects
// and DNS answers cannot sneak past it.
func (c *Crawler) newTransport() *http.Transport {
	d := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second, Control: c.guard}
	return &http.Transport{
		Proxy:                 nil,
		DialContext:           d.DialContext,
		ForceAttemptHTTP2:     true,
		DisableCompression:    true,
		MaxIdleConns:          100,
		MaxIdleConnsPerHost:   max(c.cfg.PerHostParallelism, 2),
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: c.cfg.RequestTimeout,
		ExpectContinueTimeout: time.Second,
	}
}

// guard is the net.Dialer Control hook: address is the resolved "ip:port".
func (c *Crawler) guard(network, address string, _ syscall.RawConn) error {
	if c.cfg.AllowPrivateNetworks {
		return nil
	}
	if _, ok := c.exempt.Load(address); ok {
		return nil
	}
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("dial %s %s: %w", network, address, ErrPrivateAddress)
	}
	if !publicAddr(ap.Addr()) {
		return fmt.Errorf("dial %s %s: %w", network, address, ErrPrivateAddress)
	}
	return nil
}

// metadataV6 is the AWS IPv6 instance metadata address (IPv4 169.254.169.254
// is already link-local).
var metadataV6 = netip.MustParseAddr("fd00:ec2::254")

// publicAddr reports whether a may be dialled when private networks are not
// allowed.
func publicAddr(a netip.Addr) bool {
	a = a.Unmap()
	switch {
	case !a.IsValid(), a.IsLoopback(), a.IsPrivate(), a.IsUnspecified(),
		a.IsLinkLocalUnicast(), a.IsLinkLocalMulticast(), a.IsInterfaceLocalMulticast(),
		a.IsMulticast(), a == metadataV6:
		return false
	}
	if a.Is4() {
		b := a.As4()
		switch {
		case b[0] == 0, // "this network"
			b[0] == 100 && b[1]&0xc0 == 64,        // 100.64.0.0/10 carrier-grade NAT
			b[0] == 192 && b[1] == 0 && b[2] == 0, // 192.0.0.0/24 protocol assignments
			b[0] == 198 && b[1]&0xfe == 18,        // 198.18.0.0/15 benchmarking
			b[0] >= 240:                           // reserved and broadcast
			return false
		}
	}
	return true
}

// meteredTransport wraps the shared transport for one crawl: it asks for gzip,
// counts the bytes received on the wire, decompresses with the size cap
// applied to the decompressed stream, and marks the response uncompressed so
// Colly never inflates a body on its own (which it would do after its size
// limit, letting a gzip bomb through).
type meteredTransport struct {
	// ctx is the crawl's context, given to requests Colly makes without one
	// (robots.txt), so cancelling a crawl ends them too.
	ctx   context.Context
	base  http.RoundTripper
	limit int64
	bytes *atomic.Int64
}

func (t *meteredTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	release := func() {}
	if t.ctx != nil {
		// Colly fetches robots.txt without the crawl's context; tie every
		// request to it so cancelling a crawl ends them all.
		ctx, cancel := context.WithCancel(req.Context())
		stop := context.AfterFunc(t.ctx, cancel)
		release = func() { stop(); cancel() }
		req = req.WithContext(ctx)
	}
	if req.Header.Get("Accept-Encoding") == "" && req.Header.Get("Range") == "" {
		req = req.Clone(req.Context())
		req.Header.Set("Accept-Encoding", "gzip")
	}
	res, err := t.base.RoundTrip(req)
	if err != nil {
		release()
		return nil, err
	}
	var body io.ReadCloser = &countingBody{rc: res.Body, n: t.bytes, release: release}
	if isGzip(res) {
		body = &gzipBody{src: body}
		res.Header.Del("Content-Encoding")
		res.Header.Del("Content-Length")
		res.ContentLength = -1
	}
	res.Body = &cappedBody{rc: body, left: t.limit}
	res.Uncompressed = true
	return res, nil
}

func isGzip(res *http.Response) bool {
	enc := strings.ToLower(res.Header.Get("Content-Encoding"))
	if strings.Contains(enc, "gzip") {
		return true
	}
	if enc != "" {
		return false
	}
	// Colly also inflates these; do it here, under the cap.
	ct := strings.ToLower(res.Header.Get("Content-Type"))
	return strings.Contains(ct, "gzip") || (res.Request != nil && strings.HasSuffix(strings.ToLower(res.Request.URL.Path), ".xml.gz"))
}

type countingBody struct {
	rc      io.ReadCloser
	n       *atomic.Int64
	release func()
}

func (b *countingBody) Read(p []byte) (int, error) {
	n, err := b.rc.Read(p)
	b.n.Add(int64(n))
	return n, err
}

func (b *countingBody) Close() error {
	err := b.rc.Close()
	b.release()
	return err
}

// gzipBody inflates lazily, so a response nobody reads costs nothing.
type gzipBody struct {
	src io.ReadCloser
	zr  *gzip.Reader
}

func (b *gzipBody) Read(p []byte) (int, error) {
	if b.zr == nil {
		zr, err := gzip.NewReader(b.src)
		if err != nil {
			return 0, fmt.Errorf("gzip: %w", err)
		}
		b.zr = zr
	}
	return b.zr.Read(p)
}

func (b *gzipBody) Close() error { return b.src.Close() }

// cappedBody returns ErrBodyTooLarge as soon as more than left bytes arrive,
// instead of silently truncating the document.
type cappedBody struct {
	rc   io.ReadCloser
	left int64
}

func (b *cappedBody) Read(p []byte) (int, error) {
	if b.left < 0 {
		return 0, ErrBodyTooLarge
	}
	if int64(len(p)) > b.left+1 {
		p = p[:b.left+1]
	}
	n, err := b.rc.Read(p)
	b.left -= int64(n)
	if b.left < 0 {
		return n - 1, ErrBodyTooLarge
	}
	return n, err
}

func (b *cappedBody) Close() error { return b.rc.Close() }
