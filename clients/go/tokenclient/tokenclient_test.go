// Tests of what tokenclient adds to the stub, against a scripted in-process
// server: the API key header, the default deadline and retry policy (those of
// clients/service_config.json, found through AGORA_TOKEN_REPO_ROOT), and the
// decoding of BadRequest and RetryInfo details. The real server is covered by
// tests/e2e/go.
package tokenclient

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"reflect"
	"sync/atomic"
	"testing"
	"time"

	"github.com/agora-token-service/clients/go/tokenv1"
	"github.com/golang/protobuf/ptypes/duration"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
)

// scriptedServer records what each call carried and answers with reply.
type scriptedServer struct {
	tokenv1.UnimplementedTokenServiceServer
	authorization chan []string
	deadlineLeft  chan time.Duration
	reply         func() (*tokenv1.BuildRtcTokenWithUidResponse, error)
}

// sharedMethodConfig reads clients/service_config.json itself, so a client
// that ignored the file would fail.
func sharedMethodConfig(t *testing.T) (raw []byte, method map[string]interface{}) {
	t.Helper()
	root := os.Getenv("AGORA_TOKEN_REPO_ROOT")
	if root == "" {
		t.Fatal("AGORA_TOKEN_REPO_ROOT is not set (run tests/e2e/go/run.sh)")
	}
	raw, err := os.ReadFile(filepath.Join(root, "clients", "service_config.json"))
	if err != nil {
		t.Fatal(err)
	}
	var config struct {
		MethodConfig []map[string]interface{} `json:"methodConfig"`
	}
	if err := json.Unmarshal(raw, &config); err != nil {
		t.Fatal(err)
	}
	return raw, config.MethodConfig[0]
}

func sharedTimeout(t *testing.T) time.Duration {
	t.Helper()
	_, method := sharedMethodConfig(t)
	timeout, err := time.ParseDuration(method["timeout"].(string))
	if err != nil {
		t.Fatal(err)
	}
	return timeout
}

func sharedMaxAttempts(t *testing.T) int32 {
	t.Helper()
	_, method := sharedMethodConfig(t)
	return int32(method["retryPolicy"].(map[string]interface{})["maxAttempts"].(float64))
}

func (s *scriptedServer) BuildRtcTokenWithUid(ctx context.Context, _ *tokenv1.BuildRtcTokenWithUidRequest) (*tokenv1.BuildRtcTokenWithUidResponse, error) {
	incoming, _ := metadata.FromIncomingContext(ctx)
	s.authorization <- incoming.Get("authorization")
	deadline, ok := ctx.Deadline()
	if !ok {
		s.deadlineLeft <- 0
	} else {
		s.deadlineLeft <- time.Until(deadline)
	}
	return s.reply()
}

func startScripted(t *testing.T, reply func() (*tokenv1.BuildRtcTokenWithUidResponse, error)) (*scriptedServer, string) {
	t.Helper()
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	scripted := &scriptedServer{
		authorization: make(chan []string, 8), deadlineLeft: make(chan time.Duration, 8), reply: reply,
	}
	server := grpc.NewServer()
	tokenv1.RegisterTokenServiceServer(server, scripted)
	go server.Serve(listener)
	t.Cleanup(server.Stop)
	return scripted, listener.Addr().String()
}

func succeed() (*tokenv1.BuildRtcTokenWithUidResponse, error) {
	return &tokenv1.BuildRtcTokenWithUidResponse{Token: "007stub"}, nil
}

// callOnce makes one successful call through a client made with options and
// returns the scripted server that answered it.
func callOnce(t *testing.T, options ...Option) *scriptedServer {
	t.Helper()
	scripted, address := startScripted(t, succeed)
	client, err := New(address, options...)
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	if _, err := client.BuildRtcTokenWithUid(context.Background(), &tokenv1.BuildRtcTokenWithUidRequest{}); err != nil {
		t.Fatal(err)
	}
	return scripted
}

func TestAPIKeyIsSentAsBearerAuthorization(t *testing.T) {
	scripted := callOnce(t, WithAPIKey("k-123"))
	if got := <-scripted.authorization; len(got) != 1 || got[0] != "Bearer k-123" {
		t.Fatalf("authorization metadata %q, want [\"Bearer k-123\"]", got)
	}
}

func TestNoAPIKeySendsNoAuthorization(t *testing.T) {
	scripted := callOnce(t)
	if got := <-scripted.authorization; len(got) != 0 {
		t.Fatalf("authorization metadata %q sent without an API key", got)
	}
}

func TestDefaultDeadlineAppliesAndEarlierOneWins(t *testing.T) {
	scripted, address := startScripted(t, succeed)
	client, err := New(address, WithTimeout(3*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	if _, err := client.BuildRtcTokenWithUid(context.Background(), &tokenv1.BuildRtcTokenWithUidRequest{}); err != nil {
		t.Fatal(err)
	}
	if left := <-scripted.deadlineLeft; left <= time.Second || left > 3*time.Second {
		t.Fatalf("server saw %v left, want about 3s", left)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 1500*time.Millisecond)
	defer cancel()
	if _, err := client.BuildRtcTokenWithUid(ctx, &tokenv1.BuildRtcTokenWithUidRequest{}); err != nil {
		t.Fatal(err)
	}
	if left := <-scripted.deadlineLeft; left <= 0 || left > 1500*time.Millisecond {
		t.Fatalf("server saw %v left, want at most the caller's 1.5s", left)
	}
}

func TestEmbeddedServiceConfigIsTheSharedFile(t *testing.T) {
	raw, method := sharedMethodConfig(t)
	if !bytes.Equal(sharedServiceConfig, raw) {
		t.Fatal("the embedded service_config.json differs from clients/service_config.json: rerun gen.sh")
	}
	if DefaultTimeout != sharedTimeout(t) || DefaultTimeout != 5*time.Second { // the README states 5 s
		t.Fatalf("DefaultTimeout %v, shared timeout %v, want both 5s", DefaultTimeout, sharedTimeout(t))
	}
	// The channel gets the file without its timeout, which each call applies.
	var channel struct {
		MethodConfig []map[string]interface{} `json:"methodConfig"`
	}
	if err := json.Unmarshal([]byte(retryServiceConfig), &channel); err != nil {
		t.Fatal(err)
	}
	delete(method, "timeout")
	if len(channel.MethodConfig) != 1 || !reflect.DeepEqual(channel.MethodConfig[0], method) {
		t.Fatalf("channel service config %s, want the shared one less its timeout", retryServiceConfig)
	}
	codes := method["retryPolicy"].(map[string]interface{})["retryableStatusCodes"]
	if !reflect.DeepEqual(codes, []interface{}{"UNAVAILABLE", "CANCELLED"}) {
		t.Fatalf("retryable codes %v", codes)
	}
}

func TestCallsGetTheSharedDefaultDeadline(t *testing.T) {
	scripted := callOnce(t)
	want := sharedTimeout(t)
	if left := <-scripted.deadlineLeft; left <= want-time.Second || left > want {
		t.Fatalf("server saw %v left, want about %v", left, want)
	}
}

// callFailing makes one call to a server that always fails with code, and
// returns how many attempts the server saw and the call's error.
func callFailing(t *testing.T, code codes.Code) (int32, error) {
	t.Helper()
	var calls int32
	_, address := startScripted(t, func() (*tokenv1.BuildRtcTokenWithUidResponse, error) {
		atomic.AddInt32(&calls, 1)
		return nil, status.Error(code, "scripted failure")
	})
	client, err := New(address)
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	_, err = client.BuildRtcTokenWithUid(context.Background(), &tokenv1.BuildRtcTokenWithUidRequest{})
	return atomic.LoadInt32(&calls), err
}

func TestGivesUpAfterTheSharedMaxAttempts(t *testing.T) {
	calls, err := callFailing(t, codes.Unavailable)
	want := sharedMaxAttempts(t)
	if status.Code(err) != codes.Unavailable || calls != want || want != 4 { // the README states 4
		t.Fatalf("got %v after %d calls, want Unavailable after %d (the shared maxAttempts, 4)", err, calls, want)
	}
}

func TestFieldViolationsAndRetryDelayAreDecoded(t *testing.T) {
	_, address := startScripted(t, func() (*tokenv1.BuildRtcTokenWithUidResponse, error) {
		rich, err := status.New(codes.InvalidArgument, "bad request").WithDetails(
			&errdetails.BadRequest{FieldViolations: []*errdetails.BadRequest_FieldViolation{
				{Field: "channel_name", Description: "has a character outside the allowed set"},
				{Field: "uid", Description: "made up for this test"},
			}},
			&errdetails.RetryInfo{RetryDelay: &duration.Duration{Seconds: 2, Nanos: 500000000}})
		if err != nil {
			return nil, err
		}
		return nil, rich.Err()
	})
	client, err := New(address)
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	_, err = client.BuildRtcTokenWithUid(context.Background(), &tokenv1.BuildRtcTokenWithUidRequest{})
	if status.Code(err) != codes.InvalidArgument {
		t.Fatalf("got %v, want InvalidArgument", err)
	}
	violations := FieldViolations(err)
	if len(violations) != 2 || violations[0].GetField() != "channel_name" || violations[1].GetField() != "uid" ||
		violations[0].GetDescription() != "has a character outside the allowed set" {
		t.Fatalf("violations %v", violations)
	}
	if delay, ok := RetryDelay(err); !ok || delay != 2500*time.Millisecond {
		t.Fatalf("retry delay %v %v, want 2.5s", delay, ok)
	}
}

func TestPlainErrorsHaveNoDetails(t *testing.T) {
	_, address := startScripted(t, func() (*tokenv1.BuildRtcTokenWithUidResponse, error) {
		return nil, status.Error(codes.NotFound, "no such app")
	})
	client, err := New(address)
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	_, err = client.BuildRtcTokenWithUid(context.Background(), &tokenv1.BuildRtcTokenWithUidRequest{})
	if status.Code(err) != codes.NotFound || FieldViolations(err) != nil {
		t.Fatalf("got %v with violations %v", err, FieldViolations(err))
	}
	if _, ok := RetryDelay(err); ok {
		t.Fatal("a retry delay was found in a plain error")
	}
	if FieldViolations(nil) != nil {
		t.Fatal("FieldViolations(nil) is not nil")
	}
}

func TestUnavailableIsRetried(t *testing.T) {
	var calls int32
	_, address := startScripted(t, func() (*tokenv1.BuildRtcTokenWithUidResponse, error) {
		atomic.AddInt32(&calls, 1)
		if atomic.LoadInt32(&calls) < 3 {
			return nil, status.Error(codes.Unavailable, "draining")
		}
		return succeed()
	})
	client, err := New(address)
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	response, err := client.BuildRtcTokenWithUid(context.Background(), &tokenv1.BuildRtcTokenWithUidRequest{})
	if err != nil {
		t.Fatalf("after %d calls: %v (grpc-go before 1.40 retries only with GRPC_GO_RETRY=on)", atomic.LoadInt32(&calls), err)
	}
	if got := atomic.LoadInt32(&calls); response.GetToken() != "007stub" || got != 3 {
		t.Fatalf("token %q after %d calls, want 3 calls", response.GetToken(), got)
	}
}

func TestOtherErrorsAreNotRetried(t *testing.T) {
	if calls, err := callFailing(t, codes.InvalidArgument); status.Code(err) != codes.InvalidArgument || calls != 1 {
		t.Fatalf("got %v after %d calls, want InvalidArgument after 1", err, calls)
	}
}

func TestOptionErrorsAreReported(t *testing.T) {
	if _, err := New("127.0.0.1:1", WithTimeout(0)); err == nil {
		t.Fatal("a zero timeout was accepted")
	}
	if _, err := New("127.0.0.1:1", WithTLSFiles("/nonexistent/ca.pem", "", "")); err == nil {
		t.Fatal("a missing CA file was accepted")
	}
}
