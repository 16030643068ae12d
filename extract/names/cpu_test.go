package names

import (
	"syscall"
	"testing"
	"time"
)

// cpuRate reports MB per CPU second of the test process beside the wall-clock
// rate: on a shared machine the wall clock measures the neighbours.
func cpuRate(b *testing.B, bytesPerOp int64, run func()) {
	c0 := cpuNow()
	run()
	if cpu := cpuNow() - c0; cpu > 0 && b.N > 0 {
		b.ReportMetric(float64(bytesPerOp)*float64(b.N)/(1<<20)/cpu.Seconds(), "MB/cpu-s")
	}
}

func cpuNow() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
