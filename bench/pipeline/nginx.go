package main

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// nginx is a real web server serving the generated site on loopback, with
// its default ETag and Last-Modified handling (conditional GET answered 304).
type nginx struct {
	cmd  *exec.Cmd
	dir  string
	addr string
	log  string
}

// freePort asks the kernel for a free loopback port.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// nginxBinary finds nginx, installing Debian's package when it is missing
// (the bench runs as root on a developer machine; CI does not run it).
func nginxBinary() (string, error) {
	for _, p := range []string{"/usr/sbin/nginx", "/usr/local/sbin/nginx"} {
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	if p, err := exec.LookPath("nginx"); err == nil {
		return p, nil
	}
	fmt.Fprintln(os.Stderr, "pipeline: nginx not found, installing it with apt-get")
	install := exec.Command("apt-get", "install", "-y", "-q", "nginx-light")
	install.Env = append(os.Environ(), "DEBIAN_FRONTEND=noninteractive")
	install.Stdout, install.Stderr = os.Stderr, os.Stderr
	if err := install.Run(); err != nil {
		return "", fmt.Errorf("install nginx: %w", err)
	}
	return "/usr/sbin/nginx", nil
}

// startNginx serves root on 127.0.0.1:port with a config written to dir.
// The access log records the bytes sent per request, so a run's downloads
// can be counted by the server rather than by the client.
func startNginx(dir, root string, port int) (*nginx, error) {
	bin, err := nginxBinary()
	if err != nil {
		return nil, err
	}
	n := &nginx{dir: dir, addr: fmt.Sprintf("127.0.0.1:%d", port), log: filepath.Join(dir, "access.log")}
	conf := fmt.Sprintf(`daemon off;
worker_processes 1;
pid %[1]s/nginx.pid;
error_log %[1]s/error.log warn;
user root;
events { worker_connections 1024; }
http {
    types { text/html html; application/rss+xml xml; text/plain txt; }
    default_type application/octet-stream;
    log_format bytes '$status $bytes_sent $body_bytes_sent $request_uri';
    access_log %[1]s/access.log bytes buffer=64k flush=1s;
    client_body_temp_path %[1]s/tmp;
    proxy_temp_path %[1]s/tmp;
    fastcgi_temp_path %[1]s/tmp;
    uwsgi_temp_path %[1]s/tmp;
    scgi_temp_path %[1]s/tmp;
    sendfile on;
    keepalive_requests 100000;
    server {
        listen %[2]s;
        root %[3]s;
        etag on;
        if_modified_since exact;
    }
}
`, dir, n.addr, root)
	if err := os.MkdirAll(filepath.Join(dir, "tmp"), 0o755); err != nil {
		return nil, err
	}
	confPath := filepath.Join(dir, "nginx.conf")
	if err := os.WriteFile(confPath, []byte(conf), 0o644); err != nil {
		return nil, err
	}
	n.cmd = exec.Command(bin, "-c", confPath, "-e", filepath.Join(dir, "error.log"))
	n.cmd.Stderr = os.Stderr
	n.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := n.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start nginx: %w", err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", n.addr, time.Second)
		if err == nil {
			c.Close()
			return n, nil
		}
		if time.Now().After(deadline) {
			n.stop()
			return nil, fmt.Errorf("nginx did not listen on %s: %w", n.addr, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// stop ends the nginx we started (master and worker: its process group).
func (n *nginx) stop() {
	if n == nil || n.cmd == nil || n.cmd.Process == nil {
		return
	}
	_ = syscall.Kill(-n.cmd.Process.Pid, syscall.SIGQUIT)
	done := make(chan struct{})
	go func() { n.cmd.Wait(); close(done) }() //nolint:errcheck // exit status of a stopped server
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		_ = syscall.Kill(-n.cmd.Process.Pid, syscall.SIGKILL)
		<-done
	}
}

// traffic is what the server sent, from its access log.
type traffic struct {
	requests    int
	notModified int
	bytesSent   int64 // headers and bodies
	bodyBytes   int64
}

// mark returns the access log's length, so traffic(from) counts only what
// came after.
func (n *nginx) mark() int64 {
	time.Sleep(1100 * time.Millisecond) // the log is flushed every second
	fi, err := os.Stat(n.log)
	if err != nil {
		return 0
	}
	return fi.Size()
}

func (n *nginx) traffic(from, to int64) (traffic, error) {
	var t traffic
	f, err := os.Open(n.log)
	if err != nil {
		return t, err
	}
	defer f.Close()
	if _, err := f.Seek(from, 0); err != nil {
		return t, err
	}
	sc := bufio.NewScanner(f)
	read := from
	for sc.Scan() && read < to {
		read += int64(len(sc.Bytes())) + 1
		fs := strings.Fields(sc.Text())
		if len(fs) < 3 {
			continue
		}
		t.requests++
		if fs[0] == "304" {
			t.notModified++
		}
		sent, _ := strconv.ParseInt(fs[1], 10, 64)
		body, _ := strconv.ParseInt(fs[2], 10, 64)
		t.bytesSent += sent
		t.bodyBytes += body
	}
	return t, sc.Err()
}
