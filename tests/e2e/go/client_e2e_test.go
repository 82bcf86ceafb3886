// End-to-end test of the Go client (clients/go) against the real
// agora-token-server binary. TestMain starts the server on 127.0.0.1:0 with a
// temporary keyring, reads the bound port from its "serving" log line, and
// stops it with SIGTERM (then SIGKILL) at the end. Tokens built through
// tokenclient are checked by Agora's official npm package via
// tests/crosscheck/verify_with_agora_token.js.
//
// run.sh copies this file into the GOPATH workspace that clients/go/gen.sh
// lays out, and sets:
//
//	AGORA_TOKEN_SERVER     the server binary
//	AGORA_TOKEN_REPO_ROOT  the repository root
//	AGORA_TOKEN_NODE       Node.js, for the verifier
//	AGORA_TOKEN_GO_EXAMPLE the built clients/go/example binary
package e2e

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/agora-token-service/clients/go/tokenclient"
	"github.com/agora-token-service/clients/go/tokenv1"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// The public sample app of deploy/dev/keyring.textproto, served so that the
// example (which uses it) works against the test server.
const (
	devAppID          = "970CA35de60c44645bbae8a215061b33"
	devAppCertificate = "5CFd2fd1755d40ecb72977518be15d3b"
	serverStartLimit  = 15 * time.Second
	serverStopLimit   = 10 * time.Second
	subprocessLimit   = 60 * time.Second
)

var (
	target         string
	appID          string
	appCertificate string
	workDir        string
)

func randomHex(bytes int) string {
	buffer := make([]byte, bytes)
	if _, err := rand.Read(buffer); err != nil {
		panic(err)
	}
	return hex.EncodeToString(buffer)
}

func requireEnv(name string) string {
	value := os.Getenv(name)
	if value == "" {
		fmt.Fprintf(os.Stderr, "%s is not set (run tests/e2e/go/run.sh)\n", name)
		os.Exit(1)
	}
	return value
}

// serverProcess is agora-token-server as a child process.
type serverProcess struct {
	command *exec.Cmd
	logPath string
	exited  chan error
}

func startServer(binary, keyring string) (*serverProcess, error) {
	logPath := filepath.Join(workDir, "server.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	defer logFile.Close()
	command := exec.Command(binary, "--listen=127.0.0.1:0", "--keyring="+keyring,
		"--compression=compatible", "--drain_timeout_ms=2000")
	command.Stderr = logFile
	if err := command.Start(); err != nil {
		return nil, err
	}
	server := &serverProcess{command: command, logPath: logPath, exited: make(chan error, 1)}
	go func() { server.exited <- command.Wait() }()
	return server, nil
}

func (s *serverProcess) log() string {
	text, _ := os.ReadFile(s.logPath)
	return string(text)
}

// waitForPort polls the log for {"msg":"serving",...,"port":"N"}.
func (s *serverProcess) waitForPort() (int, error) {
	deadline := time.Now().Add(serverStartLimit)
	for time.Now().Before(deadline) {
		scanner := bufio.NewScanner(strings.NewReader(s.log()))
		for scanner.Scan() {
			var record map[string]interface{}
			if json.Unmarshal(scanner.Bytes(), &record) != nil || record["msg"] != "serving" {
				continue
			}
			port, err := strconv.Atoi(fmt.Sprint(record["port"]))
			if err != nil || port <= 0 {
				return 0, fmt.Errorf("bad port in serving line: %s", scanner.Text())
			}
			return port, nil
		}
		select {
		case err := <-s.exited:
			s.exited <- err
			return 0, fmt.Errorf("server exited (%v) before serving; log:\n%s", err, s.log())
		case <-time.After(50 * time.Millisecond):
		}
	}
	return 0, fmt.Errorf("server did not log \"serving\" within %v; log:\n%s", serverStartLimit, s.log())
}

// stop sends SIGTERM (drain) and waits, then SIGKILL if it hangs.
func (s *serverProcess) stop() error {
	_ = s.command.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-s.exited:
		return err
	case <-time.After(serverStopLimit):
		_ = s.command.Process.Kill()
		<-s.exited
		return fmt.Errorf("server ignored SIGTERM for %v and was killed", serverStopLimit)
	}
}

func TestMain(m *testing.M) {
	binary := requireEnv("AGORA_TOKEN_SERVER")
	requireEnv("AGORA_TOKEN_REPO_ROOT")
	requireEnv("AGORA_TOKEN_NODE")
	requireEnv("AGORA_TOKEN_GO_EXAMPLE")

	var err error
	workDir, err = os.MkdirTemp("", "agora-token-go-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	// A fresh app per run, its certificate in a file as production does.
	appID = randomHex(16)
	appCertificate = randomHex(16)
	keyring := filepath.Join(workDir, "keyring.textproto")
	keyringText := fmt.Sprintf("apps {\n  app_id: %q\n  primary_certificate { path: \"test_app.certificate\" }\n}\n"+
		"apps {\n  app_id: %q\n  primary_certificate { value: %q }\n}\n", appID, devAppID, devAppCertificate)
	if err := os.WriteFile(filepath.Join(workDir, "test_app.certificate"), []byte(appCertificate+"\n"), 0o600); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if err := os.WriteFile(keyring, []byte(keyringText), 0o600); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}

	server, err := startServer(binary, keyring)
	if err != nil {
		fmt.Fprintln(os.Stderr, "starting the server:", err)
		os.Exit(1)
	}
	exitCode := 1
	port, err := server.waitForPort()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
	} else {
		target = fmt.Sprintf("127.0.0.1:%d", port)
		exitCode = m.Run()
	}
	if err := server.stop(); err != nil {
		fmt.Fprintln(os.Stderr, "stopping the server:", err)
		exitCode = 1
	}
	os.RemoveAll(workDir)
	os.Exit(exitCode)
}

func newClient(t *testing.T) *tokenclient.Client {
	t.Helper()
	client, err := tokenclient.New(target, tokenclient.WithTimeout(10*time.Second))
	if err != nil {
		t.Fatalf("tokenclient.New: %v", err)
	}
	t.Cleanup(func() { client.Close() })
	return client
}

// issued is what every build response has in common.
type issued interface {
	GetToken() string
	GetTokenVersion() tokenv1.TokenVersion
	GetIssueTs() uint32
	GetSalt() uint32
	GetExpireTs() uint32
}

// verifierRecord is one line of verify_with_agora_token.js's input: the
// inputs we sent plus what the server says it built.
func verifierRecord(shape, kind string, response issued, inputs map[string]interface{}) map[string]interface{} {
	version := map[tokenv1.TokenVersion]string{
		tokenv1.TokenVersion_TOKEN_VERSION_006: "006", tokenv1.TokenVersion_TOKEN_VERSION_007: "007",
	}[response.GetTokenVersion()]
	record := map[string]interface{}{
		"seed": "go-e2e", "case": shape, "shape": shape, "kind": kind,
		"app_id": appID, "app_certificate": appCertificate,
		"token": response.GetToken(), "issuance": "new",
		"issue_ts": response.GetIssueTs(), "salt": response.GetSalt(),
		"built": map[string]interface{}{
			"version": version, "salt": response.GetSalt(),
			"issue_ts": response.GetIssueTs(), "expire_ts": response.GetExpireTs(),
		},
	}
	if strings.HasSuffix(kind, "007") {
		record["compression"] = "compatible"
	}
	for key, value := range inputs {
		record[key] = value
	}
	return record
}

// runVerifier returns the verifier's exit code, its last line and its output.
func runVerifier(t *testing.T, records []map[string]interface{}) (int, string, string) {
	t.Helper()
	var lines strings.Builder
	for _, record := range records {
		encoded, err := json.Marshal(record)
		if err != nil {
			t.Fatal(err)
		}
		lines.Write(encoded)
		lines.WriteByte('\n')
	}
	path := filepath.Join(workDir, "tokens-"+randomHex(4)+".jsonl")
	if err := os.WriteFile(path, []byte(lines.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	defer os.Remove(path)
	ctx, cancel := context.WithTimeout(context.Background(), subprocessLimit)
	defer cancel()
	verifier := filepath.Join(os.Getenv("AGORA_TOKEN_REPO_ROOT"), "tests", "crosscheck", "verify_with_agora_token.js")
	output, err := exec.CommandContext(ctx, os.Getenv("AGORA_TOKEN_NODE"), verifier, path).CombinedOutput()
	exitCode := 0
	if err != nil {
		exitError, isExit := err.(*exec.ExitError)
		if !isExit {
			t.Fatalf("running the verifier: %v", err)
		}
		exitCode = exitError.ExitCode()
	}
	outputLines := strings.Split(strings.TrimSpace(string(output)), "\n")
	return exitCode, outputLines[len(outputLines)-1], string(output)
}

func TestRtcTokensPassAgoraOfficialPackage(t *testing.T) {
	client := newClient(t)
	ctx := context.Background()
	now := uint32(time.Now().Unix())
	var records []map[string]interface{}

	uid006, err := client.BuildRtcTokenWithUid(ctx, &tokenv1.BuildRtcTokenWithUidRequest{
		AppId: appID, ChannelName: "go e2e!", Uid: 2882341273, Role: tokenv1.Role_ROLE_PUBLISHER,
		TokenVersion: tokenv1.TokenVersion_TOKEN_VERSION_006,
	})
	if err != nil {
		t.Fatalf("006 with uid: %v", err)
	}
	records = append(records, verifierRecord("rtc006_uid", "rtc006", uid006, map[string]interface{}{
		"channel_name": "go e2e!", "uid": 2882341273, "role": 1, "privilege_expired_ts": 0}))

	expiredTs := now + 3600
	account006, err := client.BuildRtcTokenWithAccount(ctx, &tokenv1.BuildRtcTokenWithAccountRequest{
		AppId: appID, ChannelName: "room[1]", Account: "user@example.com", Role: tokenv1.Role_ROLE_SUBSCRIBER,
		PrivilegeExpiredTs: expiredTs, TokenVersion: tokenv1.TokenVersion_TOKEN_VERSION_006,
	})
	if err != nil {
		t.Fatalf("006 with account: %v", err)
	}
	records = append(records, verifierRecord("rtc006_account", "rtc006", account006, map[string]interface{}{
		"channel_name": "room[1]", "account": "user@example.com", "role": 2, "privilege_expired_ts": expiredTs}))

	uid007, err := client.BuildRtcTokenWithUid(ctx, &tokenv1.BuildRtcTokenWithUidRequest{
		AppId: appID, ChannelName: "go e2e!", Uid: 12345, Role: tokenv1.Role_ROLE_PUBLISHER,
		TokenVersion: tokenv1.TokenVersion_TOKEN_VERSION_007, TokenExpireSeconds: 7200,
	})
	if err != nil {
		t.Fatalf("007 with uid: %v", err)
	}
	records = append(records, verifierRecord("rtc007_uid", "rtc007", uid007, map[string]interface{}{
		"channel_name": "go e2e!", "uid": 12345, "role": 1, "privilege_expire": 0, "token_expire": 7200,
		"with_rtm": false}))

	// With token_expire_seconds 0 the token expires at privilege_expired_ts
	// too: both become spans after the issue time.
	expiredTs = now + 1800
	account007, err := client.BuildRtcTokenWithAccount(ctx, &tokenv1.BuildRtcTokenWithAccountRequest{
		AppId: appID, ChannelName: "room[1]", Account: "Alice_01", Role: tokenv1.Role_ROLE_SUBSCRIBER,
		PrivilegeExpiredTs: expiredTs, TokenVersion: tokenv1.TokenVersion_TOKEN_VERSION_007,
	})
	if err != nil {
		t.Fatalf("007 with account: %v", err)
	}
	span := expiredTs - account007.GetIssueTs()
	records = append(records, verifierRecord("rtc007_account", "rtc007", account007, map[string]interface{}{
		"channel_name": "room[1]", "account": "Alice_01", "role": 2, "privilege_expire": span,
		"token_expire": span, "with_rtm": false}))

	for _, record := range records {
		want := record["kind"].(string)[3:]
		if !strings.HasPrefix(record["token"].(string), want) {
			t.Errorf("%s: token does not start with %s", record["shape"], want)
		}
	}
	exitCode, summary, output := runVerifier(t, records)
	if summary != fmt.Sprintf("%d passed, 0 failed", len(records)) || exitCode != 0 {
		t.Fatalf("verifier: exit %d, summary %q; output:\n%s", exitCode, summary, output)
	}

	// The same check must notice a damaged token, or it proves nothing.
	damaged := map[string]interface{}{}
	for key, value := range records[2] {
		damaged[key] = value
	}
	token := []byte(damaged["token"].(string))
	middle := len(token) / 2
	if token[middle] == 'A' {
		token[middle] = 'B'
	} else {
		token[middle] = 'A'
	}
	damaged["token"] = string(token)
	exitCode, summary, output = runVerifier(t, []map[string]interface{}{records[0], records[1], damaged, records[3]})
	if summary != "3 passed, 1 failed" || exitCode == 0 || !strings.Contains(output, "case=rtc007_uid ") {
		t.Fatalf("verifier accepted a damaged token: exit %d, summary %q; output:\n%s", exitCode, summary, output)
	}
}

func TestInvalidChannelNameIsFieldViolation(t *testing.T) {
	client := newClient(t)
	_, err := client.BuildRtcTokenWithUid(context.Background(), &tokenv1.BuildRtcTokenWithUidRequest{
		AppId: appID, ChannelName: "bad*name", Uid: 1, TokenVersion: tokenv1.TokenVersion_TOKEN_VERSION_007,
	})
	if err == nil {
		t.Fatal("a channel name with '*' was accepted")
	}
	if code := status.Code(err); code != codes.InvalidArgument {
		t.Fatalf("code %v, want InvalidArgument (%v)", code, err)
	}
	violations := tokenclient.FieldViolations(err)
	found := false
	for _, violation := range violations {
		if violation.GetDescription() == "" {
			t.Errorf("violation of %q has no description", violation.GetField())
		}
		found = found || violation.GetField() == "channel_name"
	}
	if !found {
		t.Fatalf("no field violation names channel_name: %v (%v)", violations, err)
	}
	if strings.Contains(err.Error(), appCertificate) {
		t.Fatal("the error message contains the app certificate")
	}
}

func TestBatchItemErrorCarriesFieldViolation(t *testing.T) {
	client := newClient(t)
	response, err := client.BuildTokens(context.Background(), &tokenv1.BuildTokensRequest{
		Items: []*tokenv1.BuildTokensRequestItem{
			{Request: &tokenv1.BuildTokensRequestItem_RtcWithAccount{RtcWithAccount: &tokenv1.BuildRtcTokenWithAccountRequest{
				AppId: appID, ChannelName: "fine", Account: "erin"}}},
			{Request: &tokenv1.BuildTokensRequestItem_RtcWithUid{RtcWithUid: &tokenv1.BuildRtcTokenWithUidRequest{
				AppId: appID, ChannelName: "bad*name", Uid: 5}}},
		},
	})
	if err != nil {
		t.Fatalf("BuildTokens: %v", err)
	}
	if len(response.GetResults()) != 2 {
		t.Fatalf("%d results, want 2", len(response.GetResults()))
	}
	if err := tokenclient.ResultError(response.GetResults()[0]); err != nil || response.GetResults()[0].GetToken().GetToken() == "" {
		t.Fatalf("first item: error %v, token %q", err, response.GetResults()[0].GetToken().GetToken())
	}
	itemError := tokenclient.ResultError(response.GetResults()[1])
	if status.Code(itemError) != codes.InvalidArgument {
		t.Fatalf("second item: %v, want InvalidArgument", itemError)
	}
	violations := tokenclient.FieldViolations(itemError)
	if len(violations) == 0 || violations[0].GetField() != "channel_name" {
		t.Fatalf("second item's violations %v do not name channel_name", violations)
	}
}

func TestExampleBuildsAValidToken(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), subprocessLimit)
	defer cancel()
	output, err := exec.CommandContext(ctx, os.Getenv("AGORA_TOKEN_GO_EXAMPLE"), target).Output()
	if err != nil {
		t.Fatalf("example: %v", err)
	}
	token := strings.TrimSpace(string(output))
	if !strings.HasPrefix(token, "007") {
		t.Fatalf("example printed %q, want a 007 token", token)
	}
	decoded, err := newClient(t).DecodeToken(context.Background(), &tokenv1.DecodeTokenRequest{Token: token})
	if err != nil {
		t.Fatalf("DecodeToken: %v", err)
	}
	if decoded.GetAppId() != devAppID || decoded.GetSignature() != tokenv1.SignatureState_SIGNATURE_STATE_VALID {
		t.Fatalf("decoded app %q signature %v", decoded.GetAppId(), decoded.GetSignature())
	}
	services := decoded.GetToken007().GetServices()
	if len(services) == 0 || services[0].GetChannelName() != "demo-channel" || services[0].GetAccount() != "2882341273" {
		t.Fatalf("decoded services %v", services)
	}
	if got := decoded.GetExpireTs() - decoded.GetIssueTs(); got != 3600 {
		t.Fatalf("token lives %d s, want 3600", got)
	}
}
