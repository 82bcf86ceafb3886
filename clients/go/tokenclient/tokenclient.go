// Package tokenclient is a thin Go client for agora.token.v1.TokenService.
//
// It wraps the generated stub (package tokenv1, made by ../gen.sh) with what
// every caller needs: a default per-call deadline and a retry policy for
// UNAVAILABLE (both from the service config all five clients share,
// clients/service_config.json, which gen.sh copies here to be embedded), TLS
// or mutual TLS, an API key sent as "authorization: Bearer"
// call metadata, and FieldViolations, which reads the google.rpc.BadRequest
// details of an INVALID_ARGUMENT error. Requests and responses are the
// generated messages; errors are grpc-go status errors (status.FromError
// works on them).
package tokenclient

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	_ "embed" // for the shared service config
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/agora-token-service/clients/go/tokenv1"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/status"
)

// sharedServiceConfig is clients/service_config.json, copied here by gen.sh.
//
//go:embed service_config.json
var sharedServiceConfig []byte

// DefaultTimeout bounds every call whose context has no earlier deadline: the
// shared service config's "timeout".
var DefaultTimeout time.Duration

// retryServiceConfig is the shared service config without its "timeout": the
// client sets each call's deadline itself, as every client does (gRPC 1.51's
// core, under the C++, Python and Ruby clients, measures a service config
// timeout from a stale start time). grpc-go before 1.40 (such as Debian's
// 1.33) applies the retry policy only with GRPC_GO_RETRY=on in the
// environment.
var retryServiceConfig string

func init() {
	var err error
	if DefaultTimeout, retryServiceConfig, err = splitTimeout(sharedServiceConfig); err != nil {
		panic("tokenclient: service_config.json: " + err.Error())
	}
}

// splitTimeout returns the "timeout" of a service config's one method config,
// and the config without it.
func splitTimeout(serviceConfig []byte) (time.Duration, string, error) {
	var config map[string]interface{}
	if err := json.Unmarshal(serviceConfig, &config); err != nil {
		return 0, "", err
	}
	methods, _ := config["methodConfig"].([]interface{})
	if len(methods) != 1 {
		return 0, "", errors.New("want exactly one methodConfig")
	}
	method, _ := methods[0].(map[string]interface{})
	timeout, _ := method["timeout"].(string)
	duration, err := time.ParseDuration(timeout)
	if err != nil || duration <= 0 {
		return 0, "", fmt.Errorf("timeout %q is not a positive duration such as \"5s\"", timeout)
	}
	delete(method, "timeout")
	withoutTimeout, err := json.Marshal(config)
	return duration, string(withoutTimeout), err
}

// Client calls one token server. It is safe for concurrent use.
type Client struct {
	conn    *grpc.ClientConn
	stub    tokenv1.TokenServiceClient
	timeout time.Duration
}

type settings struct {
	timeout     time.Duration
	transport   credentials.TransportCredentials
	apiKey      string
	dialOptions []grpc.DialOption
	err         error
}

// Option configures New.
type Option func(*settings)

// WithTimeout sets the deadline applied to calls whose context has none
// earlier (default DefaultTimeout).
func WithTimeout(timeout time.Duration) Option {
	return func(s *settings) { s.timeout = timeout }
}

// WithTLSConfig connects over TLS with the given configuration (set
// Certificates in it for mutual TLS). The default is plaintext, which suits
// only a server on the same host.
func WithTLSConfig(config *tls.Config) Option {
	return func(s *settings) { s.transport = credentials.NewTLS(config) }
}

// WithTLSFiles connects over TLS trusting the PEM CA bundle caFile (the system
// roots if empty), presenting certFile/keyFile as the client certificate for
// mutual TLS when both are given.
func WithTLSFiles(caFile, certFile, keyFile string) Option {
	return func(s *settings) {
		config := &tls.Config{MinVersion: tls.VersionTLS12}
		if caFile != "" {
			pem, err := os.ReadFile(caFile)
			if err != nil {
				s.err = fmt.Errorf("tokenclient: reading CA file: %w", err)
				return
			}
			config.RootCAs = x509.NewCertPool()
			if !config.RootCAs.AppendCertsFromPEM(pem) {
				s.err = fmt.Errorf("tokenclient: no PEM certificate in CA file %s", caFile)
				return
			}
		}
		if certFile != "" || keyFile != "" {
			pair, err := tls.LoadX509KeyPair(certFile, keyFile)
			if err != nil {
				// The error names the files, never their contents.
				s.err = fmt.Errorf("tokenclient: loading client certificate: %w", err)
				return
			}
			config.Certificates = []tls.Certificate{pair}
		}
		s.transport = credentials.NewTLS(config)
	}
}

// WithAPIKey sends "authorization: Bearer <key>" with every call. Use it with
// TLS unless the server is on the same host: the key travels in the clear
// otherwise.
func WithAPIKey(key string) Option {
	return func(s *settings) { s.apiKey = key }
}

// WithDialOptions passes extra options to grpc.Dial, after the client's own.
func WithDialOptions(options ...grpc.DialOption) Option {
	return func(s *settings) { s.dialOptions = append(s.dialOptions, options...) }
}

// apiKeyCredentials attaches the API key to each call.
type apiKeyCredentials struct{ header string }

func (c apiKeyCredentials) GetRequestMetadata(context.Context, ...string) (map[string]string, error) {
	return map[string]string{"authorization": c.header}, nil
}

// RequireTransportSecurity is false so a loopback server without TLS works;
// WithAPIKey's comment tells callers to use TLS elsewhere.
func (apiKeyCredentials) RequireTransportSecurity() bool { return false }

// New returns a client for target ("host:port" or any grpc-go target). It
// does not wait for the connection: the first call does.
func New(target string, options ...Option) (*Client, error) {
	s := settings{timeout: DefaultTimeout}
	for _, option := range options {
		option(&s)
	}
	if s.err != nil {
		return nil, s.err
	}
	if s.timeout <= 0 {
		return nil, errors.New("tokenclient: the timeout must be positive")
	}
	dial := []grpc.DialOption{grpc.WithDefaultServiceConfig(retryServiceConfig)}
	if s.transport != nil {
		dial = append(dial, grpc.WithTransportCredentials(s.transport))
	} else {
		dial = append(dial, grpc.WithInsecure())
	}
	if s.apiKey != "" {
		dial = append(dial, grpc.WithPerRPCCredentials(apiKeyCredentials{header: "Bearer " + s.apiKey}))
	}
	dial = append(dial, s.dialOptions...)
	conn, err := grpc.Dial(target, dial...)
	if err != nil {
		return nil, err
	}
	return &Client{conn: conn, stub: tokenv1.NewTokenServiceClient(conn), timeout: s.timeout}, nil
}

// Close releases the connection.
func (c *Client) Close() error { return c.conn.Close() }

// Stub returns the generated stub on the client's connection, for calls that
// should not get the default deadline.
func (c *Client) Stub() tokenv1.TokenServiceClient { return c.stub }

// withDefaultDeadline keeps an earlier deadline of ctx: context.WithTimeout
// never extends one.
func (c *Client) withDefaultDeadline(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, c.timeout)
}

// BuildRtcTokenWithUid builds an RTC token for an int uid (the product
// document's build_token_with_uid).
func (c *Client) BuildRtcTokenWithUid(ctx context.Context, request *tokenv1.BuildRtcTokenWithUidRequest,
	options ...grpc.CallOption) (*tokenv1.BuildRtcTokenWithUidResponse, error) {
	ctx, cancel := c.withDefaultDeadline(ctx)
	defer cancel()
	return c.stub.BuildRtcTokenWithUid(ctx, request, options...)
}

// BuildRtcTokenWithAccount builds an RTC token for a string user account (the
// product document's build_token_with_account).
func (c *Client) BuildRtcTokenWithAccount(ctx context.Context, request *tokenv1.BuildRtcTokenWithAccountRequest,
	options ...grpc.CallOption) (*tokenv1.BuildRtcTokenWithAccountResponse, error) {
	ctx, cancel := c.withDefaultDeadline(ctx)
	defer cancel()
	return c.stub.BuildRtcTokenWithAccount(ctx, request, options...)
}

// BuildRtmToken builds an RTM (signaling) login token.
func (c *Client) BuildRtmToken(ctx context.Context, request *tokenv1.BuildRtmTokenRequest,
	options ...grpc.CallOption) (*tokenv1.BuildRtmTokenResponse, error) {
	ctx, cancel := c.withDefaultDeadline(ctx)
	defer cancel()
	return c.stub.BuildRtmToken(ctx, request, options...)
}

// BuildChatToken builds a Chat user or app token (007 only).
func (c *Client) BuildChatToken(ctx context.Context, request *tokenv1.BuildChatTokenRequest,
	options ...grpc.CallOption) (*tokenv1.BuildChatTokenResponse, error) {
	ctx, cancel := c.withDefaultDeadline(ctx)
	defer cancel()
	return c.stub.BuildChatToken(ctx, request, options...)
}

// BuildTokenWithRtm2 builds a 007 RTC token for account (a uid as its
// decimal) that also logs rtmUserID in to RTM, through
// BuildRtcTokenWithAccount: the reference rtctokenbuilder2.BuildTokenWithRtm2,
// less the certificate. Give role or privilegeExpires (nil for none), as
// BuildRtcTokenWithAccountRequest takes them.
func (c *Client) BuildTokenWithRtm2(ctx context.Context, appID, channelName, account string, role tokenv1.Role,
	tokenExpireSeconds uint32, privilegeExpires *tokenv1.RtcPrivilegeExpires, rtmUserID string,
	rtmTokenExpireSeconds uint32, options ...grpc.CallOption) (*tokenv1.BuildRtcTokenWithAccountResponse, error) {
	return c.BuildRtcTokenWithAccount(ctx, &tokenv1.BuildRtcTokenWithAccountRequest{
		AppId: appID, ChannelName: channelName, Account: account, Role: role,
		TokenVersion: tokenv1.TokenVersion_TOKEN_VERSION_007, TokenExpireSeconds: tokenExpireSeconds,
		PrivilegeExpires: privilegeExpires, RtmUserId: rtmUserID, RtmTokenExpireSeconds: rtmTokenExpireSeconds,
	}, options...)
}

// BuildRtmTokenWithPermissions builds a 007 RTM2 token through BuildRtmToken:
// the reference rtmtokenbuilder2.BuildTokenWithPermissions, less the
// certificate.
func (c *Client) BuildRtmTokenWithPermissions(ctx context.Context, appID, userID string,
	resources []*tokenv1.Rtm2Resource, tokenExpireSeconds uint32,
	options ...grpc.CallOption) (*tokenv1.BuildRtmTokenResponse, error) {
	return c.BuildRtmToken(ctx, &tokenv1.BuildRtmTokenRequest{
		AppId: appID, UserId: userID, TokenVersion: tokenv1.TokenVersion_TOKEN_VERSION_007,
		TokenExpireSeconds: tokenExpireSeconds, Rtm2Resources: resources,
	}, options...)
}

// BuildAccessToken builds a 007 token holding any list of services.
func (c *Client) BuildAccessToken(ctx context.Context, request *tokenv1.BuildAccessTokenRequest,
	options ...grpc.CallOption) (*tokenv1.BuildAccessTokenResponse, error) {
	ctx, cancel := c.withDefaultDeadline(ctx)
	defer cancel()
	return c.stub.BuildAccessToken(ctx, request, options...)
}

// BuildFpaToken builds an FPA login token (the reference
// fpatokenbuilder.BuildToken).
func (c *Client) BuildFpaToken(ctx context.Context, request *tokenv1.BuildFpaTokenRequest,
	options ...grpc.CallOption) (*tokenv1.BuildFpaTokenResponse, error) {
	ctx, cancel := c.withDefaultDeadline(ctx)
	defer cancel()
	return c.stub.BuildFpaToken(ctx, request, options...)
}

// BuildApaasToken builds a Flexible Classroom token of request's kind;
// BuildRoomUserToken, BuildUserToken and BuildAppToken name each kind.
func (c *Client) BuildApaasToken(ctx context.Context, request *tokenv1.BuildApaasTokenRequest,
	options ...grpc.CallOption) (*tokenv1.BuildApaasTokenResponse, error) {
	ctx, cancel := c.withDefaultDeadline(ctx)
	defer cancel()
	return c.stub.BuildApaasToken(ctx, request, options...)
}

// BuildRoomUserToken is the reference apaastokenbuilder.BuildRoomUserToken,
// less the certificate: APaaS room user, RTM login for userUUID and Chat for
// its MD5.
func (c *Client) BuildRoomUserToken(ctx context.Context, appID, roomUUID, userUUID string, role int32,
	expireSeconds uint32, options ...grpc.CallOption) (*tokenv1.BuildApaasTokenResponse, error) {
	return c.BuildApaasToken(ctx, &tokenv1.BuildApaasTokenRequest{
		AppId: appID, Kind: tokenv1.ApaasTokenKind_APAAS_TOKEN_KIND_ROOM_USER, RoomUuid: roomUUID,
		UserUuid: userUUID, Role: role, ExpireSeconds: expireSeconds,
	}, options...)
}

// BuildUserToken is the reference apaastokenbuilder.BuildUserToken, less the
// certificate.
func (c *Client) BuildUserToken(ctx context.Context, appID, userUUID string, expireSeconds uint32,
	options ...grpc.CallOption) (*tokenv1.BuildApaasTokenResponse, error) {
	return c.BuildApaasToken(ctx, &tokenv1.BuildApaasTokenRequest{
		AppId: appID, Kind: tokenv1.ApaasTokenKind_APAAS_TOKEN_KIND_USER, UserUuid: userUUID,
		ExpireSeconds: expireSeconds,
	}, options...)
}

// BuildAppToken is the reference apaastokenbuilder.BuildAppToken, less the
// certificate: for the app's own servers.
func (c *Client) BuildAppToken(ctx context.Context, appID string, expireSeconds uint32,
	options ...grpc.CallOption) (*tokenv1.BuildApaasTokenResponse, error) {
	return c.BuildApaasToken(ctx, &tokenv1.BuildApaasTokenRequest{
		AppId: appID, Kind: tokenv1.ApaasTokenKind_APAAS_TOKEN_KIND_APP, ExpireSeconds: expireSeconds,
	}, options...)
}

// BuildConvoAiToken builds a Conversational AI agent token: RTC, RTM and the
// ConvoAI service (the reference convoaitokenbuilder.BuildToken).
func (c *Client) BuildConvoAiToken(ctx context.Context, request *tokenv1.BuildConvoAiTokenRequest,
	options ...grpc.CallOption) (*tokenv1.BuildConvoAiTokenResponse, error) {
	ctx, cancel := c.withDefaultDeadline(ctx)
	defer cancel()
	return c.stub.BuildConvoAiToken(ctx, request, options...)
}

// BuildSttToken builds a real-time speech-to-text token: RTC, RTM and the STT
// service (the reference stttokenbuilder.BuildToken).
func (c *Client) BuildSttToken(ctx context.Context, request *tokenv1.BuildSttTokenRequest,
	options ...grpc.CallOption) (*tokenv1.BuildSttTokenResponse, error) {
	ctx, cancel := c.withDefaultDeadline(ctx)
	defer cancel()
	return c.stub.BuildSttToken(ctx, request, options...)
}

// BuildTokens builds up to 1000 tokens; each result holds a token or its own
// error (see ResultError).
func (c *Client) BuildTokens(ctx context.Context, request *tokenv1.BuildTokensRequest,
	options ...grpc.CallOption) (*tokenv1.BuildTokensResponse, error) {
	ctx, cancel := c.withDefaultDeadline(ctx)
	defer cancel()
	return c.stub.BuildTokens(ctx, request, options...)
}

// DecodeToken parses a token and checks its signature and expiry.
func (c *Client) DecodeToken(ctx context.Context, request *tokenv1.DecodeTokenRequest,
	options ...grpc.CallOption) (*tokenv1.DecodeTokenResponse, error) {
	ctx, cancel := c.withDefaultDeadline(ctx)
	defer cancel()
	return c.stub.DecodeToken(ctx, request, options...)
}

// ResultError returns a failed BuildTokens item's error as a status error
// (nil for a successful item), so FieldViolations works on it too.
func ResultError(result *tokenv1.BuildTokensResult) error {
	if result.GetError() == nil {
		return nil
	}
	return status.ErrorProto(result.GetError())
}

// FieldViolations returns the google.rpc.BadRequest field violations carried
// by a status error (nil if none): each names a request field by its path,
// such as "channel_name", and the rule it breaks.
func FieldViolations(err error) []*errdetails.BadRequest_FieldViolation {
	st, ok := status.FromError(err)
	if !ok {
		return nil
	}
	var violations []*errdetails.BadRequest_FieldViolation
	for _, detail := range st.Details() {
		if badRequest, isBadRequest := detail.(*errdetails.BadRequest); isBadRequest {
			violations = append(violations, badRequest.GetFieldViolations()...)
		}
	}
	return violations
}

// RetryDelay returns the google.rpc.RetryInfo delay carried by a status error
// (RESOURCE_EXHAUSTED or UNAVAILABLE), and whether there was one.
func RetryDelay(err error) (time.Duration, bool) {
	st, ok := status.FromError(err)
	if !ok {
		return 0, false
	}
	for _, detail := range st.Details() {
		if info, isRetryInfo := detail.(*errdetails.RetryInfo); isRetryInfo && info.GetRetryDelay() != nil {
			delay := info.GetRetryDelay()
			return time.Duration(delay.GetSeconds())*time.Second + time.Duration(delay.GetNanos()), true
		}
	}
	return 0, false
}
