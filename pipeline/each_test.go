package pipeline

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"
	"time"
)

// RunEach writes the jobs' outputs in job order, whatever order they end
// in and however many run at once, spilling held-back output to temporary
// files, and reports each job's error in order.
func TestRunEachOrder(t *testing.T) {
	const n = 12
	want := ""
	for i := 0; i < n; i++ {
		want += strings.Repeat(fmt.Sprintf("job %d line\n", i), 100*(i%3+1))
	}
	for _, workers := range []int{1, 2, 5} {
		for _, memory := range []int{16, 1 << 20} {
			dir := t.TempDir()
			var out bytes.Buffer
			var order []int
			err := RunEach(context.Background(), n, EachOptions{Workers: workers, Memory: memory, TempDir: dir}, &out,
				func(_ context.Context, i int, w io.Writer) error {
					// Later jobs end first.
					time.Sleep(time.Duration(n-i) * time.Millisecond)
					for k := 0; k < 100*(i%3+1); k++ {
						fmt.Fprintf(w, "job %d line\n", i)
					}
					if i == 4 {
						return errors.New("four failed")
					}
					return nil
				},
				func(i int, err error) error {
					order = append(order, i)
					if (i == 4) != (err != nil) {
						t.Errorf("job %d: error %v", i, err)
					}
					return nil
				})
			if err != nil {
				t.Fatal(err)
			}
			if out.String() != want {
				t.Errorf("workers %d, memory %d: the output is not in job order", workers, memory)
			}
			if fmt.Sprint(order) != "[0 1 2 3 4 5 6 7 8 9 10 11]" {
				t.Errorf("done called in order %v", order)
			}
			if left, _ := os.ReadDir(dir); len(left) != 0 {
				t.Errorf("temporary files left: %v", left)
			}
		}
	}
}

// An error from done stops the jobs after it: they are not started, or
// are cancelled, and nothing more is written.
func TestRunEachStops(t *testing.T) {
	stop := errors.New("stop")
	var out bytes.Buffer
	var ran []int
	err := RunEach(context.Background(), 20, EachOptions{Workers: 2, Ahead: 2}, &out,
		func(ctx context.Context, i int, w io.Writer) error {
			fmt.Fprintf(w, "%d\n", i)
			if i > 1 {
				<-ctx.Done() // runs until cancelled
				return ctx.Err()
			}
			return nil
		},
		func(i int, err error) error {
			ran = append(ran, i)
			if i == 1 {
				return stop
			}
			return nil
		})
	if !errors.Is(err, stop) {
		t.Fatalf("RunEach returned %v", err)
	}
	if out.String() != "0\n1\n" || fmt.Sprint(ran) != "[0 1]" {
		t.Errorf("output %q, done for %v", out.String(), ran)
	}
}

// An output that fails fails the run with ErrOutput.
func TestRunEachOutputFails(t *testing.T) {
	err := RunEach(context.Background(), 3, EachOptions{Workers: 2}, failWriter{},
		func(_ context.Context, i int, w io.Writer) error {
			_, err := fmt.Fprintf(w, "%d\n", i)
			return err
		},
		func(i int, err error) error { return err })
	if !errors.Is(err, ErrOutput) {
		t.Fatalf("RunEach returned %v, want ErrOutput", err)
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("broken pipe") }

// Workers jobs run at once: each of two jobs waits for the other to start.
func TestRunEachConcurrent(t *testing.T) {
	started := make(chan int, 2)
	var out bytes.Buffer
	err := RunEach(context.Background(), 2, EachOptions{Workers: 2}, &out,
		func(_ context.Context, i int, w io.Writer) error {
			started <- i
			deadline := time.After(10 * time.Second)
			for len(started) < 2 {
				select {
				case <-deadline:
					return errors.New("the other job did not start while this one ran")
				default:
					time.Sleep(time.Millisecond)
				}
			}
			return nil
		},
		func(i int, err error) error { return err })
	if err != nil {
		t.Fatal(err)
	}
}
