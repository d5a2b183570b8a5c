// Command bench measures mqttpcap's read path on generated OneNET-shaped
// captures, as ratios to the minimal pipeline (internal/benchtools/minimal)
// measured in the same run. It is what `make bench` runs:
//
//	go run ./internal/benchtools/bench                 # the 1 M-frame and 50,000-connection captures
//	go run ./internal/benchtools/bench -sizes 1m,1g    # and the 1 GB one
//	go run ./internal/benchtools/bench -tshark         # add tshark's time where it is installed
//
// Every figure is a separate process (so peak RSS is the process's own),
// best of -runs for time (and, apart, for CPU time), with output to
// /dev/null (the tables to a directory beside the captures). Captures are generated
// once into -dir and reused.
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mqttpcap/mqttpcap/internal/benchgen"
	"github.com/mqttpcap/mqttpcap/internal/benchtools/minimal"
)

// sizes are the captures the benchmark knows, by name.
var sizes = map[string]struct {
	desc string
	opts benchgen.OneNETOptions
}{
	"1m":    {"OneNET, 500 connections, ~1 M frames", benchgen.DefaultOneNET(500, 690)},
	"50k":   {"OneNET, 50,000 concurrent connections, 2 posts each", benchgen.DefaultOneNET(50000, 2)},
	"1g":    {"OneNET, 2,000 connections, ~1 GB", benchgen.DefaultOneNET(2000, 1090)},
	"4g":    {"OneNET, 2,000 connections, ~4 GB (the 1 GB one 4x as long)", benchgen.DefaultOneNET(2000, 4360)},
	"small": {"OneNET, 50 connections, ~20 k frames (a smoke test)", benchgen.DefaultOneNET(50, 140)},
	"100k":  {"OneNET, 50 connections, ~100 k frames (the files modes read 8 of them)", benchgen.DefaultOneNET(50, 690)},
}

// filesN is how many captures the files modes read: each a capture of the
// size, generated with its own seed.
const filesN = 8

func main() {
	if len(os.Args) > 2 && os.Args[1] == "minimal" {
		res, err := minimal.Run(os.Args[2])
		if err != nil {
			fmt.Fprintln(os.Stderr, "bench: minimal:", err)
			os.Exit(1)
		}
		fmt.Printf("%d frames, %d MQTT packets\n", res.Frames, res.MQTTPackets)
		return
	}
	dir := flag.String("dir", filepath.Join(os.TempDir(), "mqttpcap-bench"), "where generated captures are kept")
	bin := flag.String("mqttpcap", "bin/mqttpcap", "the mqttpcap binary to measure")
	list := flag.String("sizes", "1m,50k", "captures to measure: "+strings.Join(sortedKeys(), ","))
	runs := flag.Int("runs", 3, "runs per figure (the best time is kept)")
	modes := flag.String("modes", "", "modes to measure (default: all): list,json,verbose,stats,no-onenet,gomaxprocs1,parquet,csv,files-1cpu,files-2cpu,files-parquet-1cpu,files-parquet-2cpu")
	tshark := flag.Bool("tshark", false, "also time tshark (-T fields, and -V) where installed: minutes per capture")
	flag.Parse()
	if err := run(*dir, *bin, strings.Split(*list, ","), *runs, *modes, *tshark); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func sortedKeys() []string {
	var k []string
	for name := range sizes {
		k = append(k, name)
	}
	slices.Sort(k)
	return k
}

// measurement is one process run: its best wall time, its least CPU time
// (user and system: on shared cores, where other processes stretch the
// wall time, the CPU time says what the work cost) and its peak RSS.
type measurement struct {
	wall time.Duration
	cpu  time.Duration
	rss  int64 // KB
}

func run(dir, bin string, names []string, runs int, modeList string, withTshark bool) error {
	if _, err := os.Stat(bin); err != nil {
		return fmt.Errorf("%s: %w (make build builds it)", bin, err)
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	fmt.Printf("mqttpcap read path on generated OneNET traffic; %d cores (GOMAXPROCS %d), %s; best of %d runs, output to /dev/null\n\n",
		runtime.NumCPU(), runtime.GOMAXPROCS(0), runtime.Version(), runs)
	for _, name := range names {
		size, ok := sizes[name]
		if !ok {
			return fmt.Errorf("unknown size %q (known: %s)", name, strings.Join(sortedKeys(), ", "))
		}
		path, st, err := capture(dir, name, size.opts)
		if err != nil {
			return err
		}
		info, _ := os.Stat(path)
		mb := float64(info.Size()) / 1e6
		fmt.Printf("### %s: %s\n%s: %d frames, %d MQTT packets, %.0f MB\n\n", name, size.desc, path, st.Frames, st.MQTTPackets, mb)
		base, err := measure(runs, nil, self, "minimal", path)
		if err != nil {
			return fmt.Errorf("minimal pipeline: %w", err)
		}
		fmt.Println("| run | time | × minimal | CPU time | MQTT packets/s | MB/s | peak RSS |")
		fmt.Println("|---|---|---|---|---|---|---|")
		row := func(label string, m measurement) {
			fmt.Printf("| %s | %.2f s | %.2f× | %.2f s | %.2f M | %.0f | %d MB |\n", label, m.wall.Seconds(), m.wall.Seconds()/base.wall.Seconds(),
				m.cpu.Seconds(), float64(st.MQTTPackets)/m.wall.Seconds()/1e6, mb/m.wall.Seconds(), m.rss/1024)
		}
		row("minimal pipeline (gopacket reassembly + fixed-header walk)", base)
		for _, m := range readModes {
			if modeList != "" && !slices.Contains(strings.Split(modeList, ","), m.name) {
				continue
			}
			if m.files && name != "100k" && name != "small" {
				continue // 8 captures of the larger sizes take gigabytes and minutes
			}
			args := slices.Clone(m.args)
			for i, a := range args {
				args[i] = strings.ReplaceAll(a, "{out}", filepath.Join(dir, "tables-"+m.name))
			}
			if !m.files {
				args = append(args, path)
			} else {
				paths, err := seeded(dir, name, size.opts, filesN)
				if err != nil {
					return err
				}
				args = append(args, paths...)
			}
			res, err := measure(runs, m.env, bin, args...)
			if err != nil {
				return fmt.Errorf("%s: %w", m.label, err)
			}
			if m.files {
				// Figures for all the files: about filesN times the one's.
				fmt.Printf("| %s | %.2f s | | %.2f s | %.2f M | %.0f | %d MB |\n", m.label, res.wall.Seconds(), res.cpu.Seconds(),
					float64(filesN*st.MQTTPackets)/res.wall.Seconds()/1e6, filesN*mb/res.wall.Seconds(), res.rss/1024)
				continue
			}
			row(m.label, res)
		}
		if withTshark {
			if _, err := exec.LookPath("tshark"); err != nil {
				fmt.Println("| tshark | not installed | | | | | |")
			} else {
				for _, t := range []struct {
					label string
					args  []string
				}{
					{"`tshark -Y mqtt -T fields` (type, topic)", []string{"-r", path, "-Y", "mqtt", "-T", "fields", "-e", "mqtt.msgtype", "-e", "mqtt.topic"}},
					{"`tshark -Y mqtt -V`", []string{"-r", path, "-Y", "mqtt", "-V"}},
				} {
					res, err := measure(1, nil, "tshark", t.args...)
					if err != nil {
						return fmt.Errorf("tshark: %w", err)
					}
					row(t.label, res)
				}
			}
		}
		if filesMode(modeList) && (name == "100k" || name == "small") {
			fmt.Printf("\nCores the machine gave (two goroutines spinning against one, best of %d): %.2f\n", runs, cores(runs))
		}
		fmt.Println()
	}
	return nil
}

// filesMode says whether the modes measured read several captures.
func filesMode(modeList string) bool {
	for _, m := range readModes {
		if m.files && (modeList == "" || slices.Contains(strings.Split(modeList, ","), m.name)) {
			return true
		}
	}
	return false
}

// cores measures how many cores the process gets: the time of two
// goroutines doing a fixed amount of work each, against one's. On shared
// machines other processes take cores; the speed-up of several captures
// on two cores can be read against it.
func cores(runs int) float64 {
	var sink atomic.Uint64 // keeps the work's result alive
	spin := func(n int) time.Duration {
		best := time.Duration(0)
		for r := 0; r < runs; r++ {
			start := time.Now()
			var wg sync.WaitGroup
			for g := 0; g < n; g++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					x := uint64(1)
					for i := 0; i < 300_000_000; i++ {
						x = x*6364136223846793005 + 1442695040888963407
					}
					sink.Add(x)
				}()
			}
			wg.Wait()
			if d := time.Since(start); best == 0 || d < best {
				best = d
			}
		}
		return best
	}
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
	one, two := spin(1), spin(2)
	return 2 * one.Seconds() / two.Seconds()
}

type readMode struct {
	name  string
	label string
	env   []string
	args  []string
	files bool // read filesN captures of the size, apart, in one run
}

var readModes = []readMode{
	{"list", "`mqttpcap read` (packet list, summary, OneNET)", nil, []string{"read"}, false},
	{"json", "`mqttpcap read --json`", nil, []string{"read", "--json"}, false},
	{"stats", "`mqttpcap stats`", nil, []string{"stats"}, false},
	{"verbose", "`mqttpcap read -V` (every field, hexdump)", nil, []string{"read", "-V"}, false},
	{"no-onenet", "`mqttpcap read --no-onenet`", nil, []string{"read", "--no-onenet"}, false},
	{"gomaxprocs1", "`mqttpcap read` with GOMAXPROCS=1", []string{"GOMAXPROCS=1"}, []string{"read"}, false},
	// The tables go to a directory beside the captures ({out}), rewritten
	// each run.
	{"parquet", "`mqttpcap read --format parquet` (the tables)", nil, []string{"read", "--format", "parquet", "-o", "{out}/"}, false},
	{"csv", "`mqttpcap read --format csv` (the tables)", nil, []string{"read", "--format", "csv", "-o", "{out}/"}, false},
	// Several captures read apart, across the cores: the same 8 files on
	// one core and on two.
	{"files-1cpu", "`mqttpcap read` of 8 captures, GOMAXPROCS=1", []string{"GOMAXPROCS=1"}, []string{"read"}, true},
	{"files-2cpu", "`mqttpcap read` of 8 captures, GOMAXPROCS=2", []string{"GOMAXPROCS=2"}, []string{"read"}, true},
	{"files-parquet-1cpu", "`mqttpcap read --format parquet` of 8 captures, GOMAXPROCS=1", []string{"GOMAXPROCS=1"}, []string{"read", "--format", "parquet", "-o", "{out}/"}, true},
	{"files-parquet-2cpu", "`mqttpcap read --format parquet` of 8 captures, GOMAXPROCS=2", []string{"GOMAXPROCS=2"}, []string{"read", "--format", "parquet", "-o", "{out}/"}, true},
}

// seeded returns n captures of a size, each generated with its own seed
// (the first is the size's own capture), writing those not in dir yet.
func seeded(dir, name string, o benchgen.OneNETOptions, n int) ([]string, error) {
	var paths []string
	for i := 0; i < n; i++ {
		so, sname := o, name
		if i > 0 {
			so.Seed, sname = o.Seed+uint64(i), fmt.Sprintf("%s-seed%d", name, i+1)
		}
		path, _, err := capture(dir, sname, so)
		if err != nil {
			return nil, err
		}
		paths = append(paths, path)
	}
	return paths, nil
}

// measure runs a command runs times with stdout to /dev/null and keeps the
// best wall time and the largest peak RSS.
func measure(runs int, env []string, name string, args ...string) (measurement, error) {
	var best measurement
	for i := 0; i < runs; i++ {
		cmd := exec.Command(name, args...)
		cmd.Env = append(os.Environ(), env...)
		var stderr strings.Builder
		cmd.Stderr = &stderr
		start := time.Now()
		err := cmd.Run()
		wall := time.Since(start)
		if err != nil {
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.ExitCode() != 0 {
				return best, fmt.Errorf("%s %s: %v: %s", name, strings.Join(args, " "), err, stderr.String())
			}
		}
		if rss := peakRSSKB(cmd.ProcessState); rss > best.rss {
			best.rss = rss
		}
		if cpu := cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime(); best.cpu == 0 || cpu < best.cpu {
			best.cpu = cpu
		}
		if best.wall == 0 || wall < best.wall {
			best.wall = wall
		}
	}
	return best, nil
}

// capture returns the generated capture of a size, writing it first if it
// is not in dir yet.
func capture(dir, name string, o benchgen.OneNETOptions) (string, benchgen.Stats, error) {
	path := filepath.Join(dir, "onenet-"+name+".pcap")
	meta := path + ".stats"
	var st benchgen.Stats
	if b, err := os.ReadFile(meta); err == nil {
		if _, err := fmt.Sscan(string(b), &st.Frames, &st.MQTTPackets, &st.Bytes); err == nil {
			if _, err := os.Stat(path); err == nil {
				return path, st, nil
			}
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", st, err
	}
	fmt.Fprintf(os.Stderr, "bench: generating %s ...\n", path)
	f, err := os.Create(path + ".tmp")
	if err != nil {
		return "", st, err
	}
	st, err = benchgen.WriteOneNET(f, o)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", st, err
	}
	if err := os.Rename(path+".tmp", path); err != nil {
		return "", st, err
	}
	return path, st, os.WriteFile(meta, []byte(fmt.Sprintln(st.Frames, st.MQTTPackets, st.Bytes)), 0o644)
}
