package extract

import (
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/klippa-app/go-pdfium"
	"github.com/klippa-app/go-pdfium/webassembly"
	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/experimental"
)

// compileAfterPages is how many PDF pages the interpreter reads before the
// compiled engine is built in the background. Measured here: the interpreter
// starts in about 1.3 s and reads a dense page in about 100 ms; compiling
// takes 5–6 s (and 300 MB) and then reads a page in a few ms. A run with a
// few short PDFs (`adwatch extract` on a law) never pays for compiling; a
// crawl that keeps meeting PDFs switches after the first few dozen pages.
const compileAfterPages = 40

// pdfEngine is PDFium compiled to WebAssembly and run by wazero: pure Go, so
// PDFs are read on any machine without installed libraries. It starts once
// per process, on the first PDF, and its single instance is used under mu.
var pdfEngine struct {
	mu sync.Mutex

	interpOnce sync.Once
	interp     pdfium.Pool
	interpErr  error

	compileOnce sync.Once
	compiled    chan struct{} // closed when compiledPool/compiledErr are set
	compiledP   pdfium.Pool
	compiledErr error

	inst      pdfium.Pdfium
	instIsJIT bool
	pages     int
}

// pdfConfig is the engine's sandbox: no file system (documents are handed
// over as bytes, and extract must read nothing else) and no console output.
func pdfConfig(rc wazero.RuntimeConfig) webassembly.Config {
	return webassembly.Config{
		MinIdle: 1, MaxIdle: 1, MaxTotal: 1,
		FSConfig:      wazero.NewFSConfig(),
		Stdout:        io.Discard,
		Stderr:        io.Discard,
		RuntimeConfig: rc,
	}
}

// features are what the bundled PDFium module needs (it lowers setjmp to
// WebAssembly exceptions).
const features = api.CoreFeaturesV2 | experimental.CoreFeaturesExceptionHandling

// newPDFPool starts PDFium compiled to native code: slow to start, fast.
func newPDFPool() (pdfium.Pool, error) {
	pool, err := webassembly.Init(pdfConfig(wazero.NewRuntimeConfigCompiler().WithCoreFeatures(features)))
	if err != nil {
		return nil, fmt.Errorf("start pdfium: %w", err)
	}
	return pool, nil
}

// newPDFInterpreterPool starts PDFium interpreted: quick to start, slow.
func newPDFInterpreterPool() (pdfium.Pool, error) {
	pool, err := webassembly.Init(pdfConfig(wazero.NewRuntimeConfigInterpreter().WithCoreFeatures(features)))
	if err != nil {
		return nil, fmt.Errorf("start pdfium: %w", err)
	}
	return pool, nil
}

// initPDF starts the interpreter (once).
func initPDF() {
	pdfEngine.interpOnce.Do(func() {
		pdfEngine.interp, pdfEngine.interpErr = newPDFInterpreterPool()
	})
}

// instance returns the PDFium instance to use: the compiled one as soon as
// it is ready, the interpreted one until then. pdfEngine.mu must be held.
func instance() (pdfium.Pdfium, error) {
	if !pdfEngine.instIsJIT && compiledPool() != nil {
		// Switch for good, and free the interpreter's memory.
		if pdfEngine.inst != nil {
			_ = pdfEngine.inst.Close()
			pdfEngine.inst = nil
		}
		if pdfEngine.interp != nil {
			_ = pdfEngine.interp.Close()
			pdfEngine.interp = nil
		}
		pdfEngine.instIsJIT = true
	}
	if pdfEngine.inst != nil {
		return pdfEngine.inst, nil
	}
	pool := compiledPool()
	if !pdfEngine.instIsJIT {
		initPDF()
		if pdfEngine.interpErr != nil {
			return nil, pdfEngine.interpErr
		}
		pool = pdfEngine.interp
	}
	inst, err := pool.GetInstance(30 * time.Second)
	if err != nil {
		return nil, fmt.Errorf("pdfium instance: %w", err)
	}
	pdfEngine.inst = inst
	return inst, nil
}

// compiledPool is the compiled engine if it has been built successfully.
func compiledPool() pdfium.Pool {
	if pdfEngine.compiled == nil {
		return nil
	}
	select {
	case <-pdfEngine.compiled:
		if pdfEngine.compiledErr == nil {
			return pdfEngine.compiledP
		}
	default:
	}
	return nil
}

// pdfWorkDone counts pages read and starts compiling once PDFs turn out to
// be a steady part of the work. pdfEngine.mu must be held.
func pdfWorkDone(pages int) {
	pdfEngine.pages += pages
	if pdfEngine.pages < compileAfterPages {
		return
	}
	pdfEngine.compileOnce.Do(func() {
		done := make(chan struct{})
		pdfEngine.compiled = done
		go func() {
			// Written before close(done), read only after it: no lock.
			pdfEngine.compiledP, pdfEngine.compiledErr = newPDFPool()
			close(done)
		}()
	})
}

// discardInstance kills an instance that may be corrupt; the next PDF gets
// a fresh one. pdfEngine.mu must be held.
func discardInstance() {
	if pdfEngine.inst != nil {
		_ = pdfEngine.inst.Kill()
		pdfEngine.inst = nil
	}
}
