# frozen_string_literal: true

# End-to-end test of the Ruby client (clients/ruby) against the real
# agora-token-server binary, with minitest. The stubs are generated now by
# clients/ruby/gen.sh into a temporary directory (unless AGORA_TOKEN_RUBY_GEN
# names one). The server is started once on 127.0.0.1:0 with a temporary
# keyring (a random app whose certificate is a file, plus the public dev app
# that clients/ruby/example.rb uses); its port comes from the "serving" log
# line, and it is stopped with SIGTERM (then SIGKILL) after the run. Tokens
# are checked by Agora's official npm package via
# tests/crosscheck/verify_with_agora_token.js. A scripted in-process server
# checks what the client adds to each call: the API key, the default deadline
# and the retry policy, which must be those of clients/service_config.json.
#
# Run: ruby tests/e2e/ruby/client_test.rb, with AGORA_TOKEN_SERVER (default
# <repo>/build/server/agora-token-server) and AGORA_TOKEN_NODE (default node
# on PATH).

require 'fileutils'
require 'json'
require 'rubygems/package'
require 'securerandom'
require 'timeout'
require 'tmpdir'

REPO_ROOT = File.expand_path('../../..', __dir__)
SERVER_BINARY = ENV.fetch('AGORA_TOKEN_SERVER', File.join(REPO_ROOT, 'build', 'server', 'agora-token-server'))
NODE = ENV['AGORA_TOKEN_NODE'] || ENV['PATH'].split(':').map { |dir| File.join(dir, 'node') }
                                             .find { |path| File.executable?(path) }
VERIFIER = File.join(REPO_ROOT, 'tests', 'crosscheck', 'verify_with_agora_token.js')
EXAMPLE = File.join(REPO_ROOT, 'clients', 'ruby', 'example.rb')
# Read here rather than through the client, so a client that ignored it fails.
SHARED_SERVICE_CONFIG_PATH = File.join(REPO_ROOT, 'clients', 'service_config.json')
SHARED_METHOD_CONFIG = JSON.parse(File.read(SHARED_SERVICE_CONFIG_PATH)).dig('methodConfig', 0)
SHARED_TIMEOUT = Float(SHARED_METHOD_CONFIG['timeout'].delete_suffix('s'))
SHARED_MAX_ATTEMPTS = SHARED_METHOD_CONFIG.dig('retryPolicy', 'maxAttempts')
DEV_APP_ID = '970CA35de60c44645bbae8a215061b33'
DEV_APP_CERTIFICATE = '5CFd2fd1755d40ecb72977518be15d3b'
SERVER_START_TIMEOUT = 15
SERVER_STOP_TIMEOUT = 10
SUBPROCESS_TIMEOUT = 60

# RTM2 permissions, in the form of the request and of the verifier's input:
# read and write on two message channels, read on one user.
RTM2_RESOURCES = [
  { resource_type: 0, permissions: [{ permission_type: 0, names: %w[ch-a ch-b] },
                                    { permission_type: 1, names: %w[ch-a] }] },
  { resource_type: 4, permissions: [{ permission_type: 0, names: %w[peer-1] }] }
].freeze

# BuildAccessToken's services out of type order (the token sorts them), in
# verify_with_agora_token.js's form: privileges as [id, seconds] pairs.
ACCESS_TOKEN_SERVICES = [
  { type: 8, privileges: [[1, 0]], user_id: 'multi-user', rtm2_resources: RTM2_RESOURCES },
  { type: 1, privileges: [[1, 0], [2, 600]], channel_name: 'multi', account: '42' },
  { type: 9, privileges: [] },
  { type: 6, privileges: [[1, 0]], channel_name: 'cdn', account: 'alice' },
  { type: 3, privileges: [[1, 0], [2, 300]], channel_name: 'live', account: '' },
  { type: 7, privileges: [[2, 0]], user_uuid: 'u-1' },
  { type: 2, privileges: [[1, 1200]], user_id: 'multi-user' }
].freeze
ACCESS_TOKEN_GRANTS = ACCESS_TOKEN_SERVICES.map do |service|
  service.merge(privileges: service[:privileges].map { |id, expire| { privilege: id, expire_seconds: expire } })
end
# The verifier wants every text field present.
ACCESS_TOKEN_RECORDS = ACCESS_TOKEN_SERVICES.map do |service|
  { channel_name: '', account: '', user_id: '', room_uuid: '', user_uuid: '', rtm2_resources: [] }.merge(service)
end

# Per-privilege lifetimes: the request's names, and the verifier's.
RTC_EXPIRES = { join_channel_privilege_expire: 3600, pub_audio_privilege_expire: 1800,
                pub_video_privilege_expire: 900, pub_data_stream_privilege_expire: 0 }.freeze
RTC_EXPIRES_RECORD = { join_channel: 3600, publish_audio: 1800, publish_video: 900, publish_data_stream: 0 }.freeze
NO_RTC_EXPIRES_RECORD = RTC_EXPIRES_RECORD.transform_values { 0 }.freeze

WORK_DIR = Dir.mktmpdir('agora-token-ruby-e2e-')
if ENV['AGORA_TOKEN_RUBY_GEN'].to_s.empty?
  ENV['AGORA_TOKEN_RUBY_GEN'] = File.join(WORK_DIR, 'gen')
  unless system(File.join(REPO_ROOT, 'clients', 'ruby', 'gen.sh'), ENV['AGORA_TOKEN_RUBY_GEN'])
    abort 'clients/ruby/gen.sh failed'
  end
end
$LOAD_PATH.unshift(File.join(REPO_ROOT, 'clients', 'ruby', 'lib'))
require 'agora_token'
require 'minitest/autorun'

# Runs argv with a time limit; returns [exit status, combined output].
def run_bounded(argv, env = {})
  reader, writer = IO.pipe
  pid = Process.spawn(env, *argv, in: File::NULL, out: writer, err: writer)
  writer.close
  output = +''
  reader_thread = Thread.new { output << reader.read }
  deadline = Time.now + SUBPROCESS_TIMEOUT
  loop do
    _, status = Process.waitpid2(pid, Process::WNOHANG)
    if status
      reader_thread.join
      return [status.exitstatus, output]
    end
    if Time.now > deadline
      Process.kill('KILL', pid)
      Process.waitpid(pid)
      reader_thread.join
      return [-1, "#{output}\n(killed after #{SUBPROCESS_TIMEOUT}s)"]
    end
    sleep 0.02
  end
ensure
  reader&.close
end

# agora-token-server as a child process on a free loopback port.
class ServerProcess
  attr_reader :port

  def initialize(keyring_path)
    @log_path = File.join(WORK_DIR, 'server.log')
    @pid = Process.spawn(SERVER_BINARY, '--listen=127.0.0.1:0', "--keyring=#{keyring_path}",
                         '--compression=compatible', '--drain_timeout_ms=2000',
                         in: File::NULL, out: File::NULL, err: @log_path)
    @status = nil
  end

  def log
    File.exist?(@log_path) ? File.read(@log_path) : ''
  end

  def exited?
    @status ||= Process.waitpid2(@pid, Process::WNOHANG)&.last
    !@status.nil?
  end

  def wait_until_serving
    deadline = Time.now + SERVER_START_TIMEOUT
    while Time.now < deadline
      log.each_line do |line|
        record = begin
          JSON.parse(line)
        rescue JSON::ParserError
          next
        end
        return @port = Integer(record['port']) if record['msg'] == 'serving'
      end
      raise "server exited (#{@status}) before serving; log:\n#{log}" if exited?

      sleep 0.05
    end
    raise "server did not log \"serving\" within #{SERVER_START_TIMEOUT}s; log:\n#{log}"
  end

  # SIGTERM (drain), then SIGKILL if it does not exit in time. Returns the
  # exit status.
  def stop
    return @status if exited?

    Process.kill('TERM', @pid)
    deadline = Time.now + SERVER_STOP_TIMEOUT
    sleep 0.05 until exited? || Time.now > deadline
    return @status if exited?

    Process.kill('KILL', @pid)
    _, @status = Process.waitpid2(@pid)
    raise "server ignored SIGTERM for #{SERVER_STOP_TIMEOUT}s and was killed"
  end
end

APP_ID = SecureRandom.hex(16)
APP_CERTIFICATE = SecureRandom.hex(16)
File.write(File.join(WORK_DIR, 'test_app.certificate'), "#{APP_CERTIFICATE}\n", perm: 0o600)
KEYRING = File.join(WORK_DIR, 'keyring.textproto')
File.write(KEYRING, <<~TEXTPROTO)
  apps {
    app_id: "#{APP_ID}"
    primary_certificate { path: "test_app.certificate" }
  }
  apps {
    app_id: "#{DEV_APP_ID}"
    primary_certificate { value: "#{DEV_APP_CERTIFICATE}" }
  }
TEXTPROTO

abort "server binary #{SERVER_BINARY} is missing; build agora-token-server" unless File.executable?(SERVER_BINARY)
SERVER = ServerProcess.new(KEYRING)
Minitest.after_run do
  status = SERVER.stop
  warn "server exited with #{status}" unless status&.success?
  FileUtils.rm_rf(WORK_DIR)
end
begin
  TARGET = "127.0.0.1:#{SERVER.wait_until_serving}"
rescue StandardError => e
  SERVER.stop
  FileUtils.rm_rf(WORK_DIR)
  abort e.message
end

class RubyClientAgainstServerTest < Minitest::Test
  def setup
    @client = AgoraToken::Client.new(TARGET, timeout: 10)
  end

  # One line of verify_with_agora_token.js's input: the inputs we sent plus
  # what the server says it built.
  def verifier_record(shape, kind, response, inputs)
    record = {
      seed: 'ruby-e2e', case: shape, shape: shape, kind: kind, app_id: APP_ID, app_certificate: APP_CERTIFICATE,
      token: response.token, issuance: 'new', issue_ts: response.issue_ts, salt: response.salt,
      built: { version: { TOKEN_VERSION_006: '006', TOKEN_VERSION_007: '007' }[response.token_version],
               salt: response.salt, issue_ts: response.issue_ts, expire_ts: response.expire_ts }
    }
    record[:compression] = 'compatible' if kind.include?('007') # rtc007, apaas007_user, rtm2_007, ...
    record.merge(inputs)
  end

  # Builds every token kind of issue 15 through its client method, and some
  # through build_tokens; returns { shape => [response, verifier record] }.
  def build_new_kinds
    built = {}
    keep = ->(shape, kind, response, **inputs) { built[shape] = [response, verifier_record(shape, kind, response, inputs)] }

    keep.call('access_token', 'access_token2_007',
              @client.build_access_token(app_id: APP_ID, services: ACCESS_TOKEN_GRANTS, token_expire_seconds: 3600),
              services: ACCESS_TOKEN_RECORDS, token_expire: 3600)
    keep.call('fpa', 'fpa007', @client.build_fpa_token(app_id: APP_ID), token_expire: 86_400)
    keep.call('room_user', 'apaas007_room_user',
              @client.build_room_user_token(app_id: APP_ID, room_uuid: 'room-42', user_uuid: 'teacher-1', role: 1,
                                            expire_seconds: 1800),
              room_uuid: 'room-42', user_uuid: 'teacher-1', role: 1, token_expire: 1800)
    keep.call('apaas_user', 'apaas007_user', @client.build_user_token(app_id: APP_ID, user_uuid: 'student-7'),
              user_uuid: 'student-7', token_expire: 0)
    keep.call('apaas_app', 'apaas007_app', @client.build_app_token(app_id: APP_ID, expire_seconds: 600), token_expire: 600)
    keep.call('rtm_with_permissions', 'rtm2_007',
              @client.build_rtm_token_with_permissions(app_id: APP_ID, user_id: 'rtm2-user', rtm2_resources: RTM2_RESOURCES,
                                                       token_expire_seconds: 1200),
              user_id: 'rtm2-user', rtm2_resources: RTM2_RESOURCES, token_expire: 1200)
    # Per-privilege lifetimes grant all four RTC privileges: the reference's
    # publisher.
    keep.call('rtc_with_rtm2_uid', 'rtc007_rtm2',
              @client.build_token_with_rtm2(app_id: APP_ID, channel_name: 'rtm2 chan', uid: 4242, rtm_user_id: 'agent-x',
                                            token_expire_seconds: 3600, privilege_expires: RTC_EXPIRES,
                                            rtm_token_expire_seconds: 900),
              channel_name: 'rtm2 chan', uid: 4242, role: 1, token_expire: 3600, privilege_expires: RTC_EXPIRES_RECORD,
              rtm_user_id: 'agent-x', rtm_token_expire: 900)
    keep.call('rtc_with_rtm2_account', 'rtc007_rtm2',
              @client.build_token_with_rtm2(app_id: APP_ID, channel_name: 'rtm2 chan', account: 'viewer',
                                            rtm_user_id: 'agent-y', role: :subscriber),
              channel_name: 'rtm2 chan', account: 'viewer', role: 2, token_expire: 0,
              privilege_expires: NO_RTC_EXPIRES_RECORD, rtm_user_id: 'agent-y', rtm_token_expire: 0)
    keep.call('convo_ai', 'convoai007',
              @client.build_convo_ai_token(app_id: APP_ID, channel_name: 'agent-room', uid: 1001, role: :publisher,
                                           token_expire_seconds: 3600, privilege_expires: RTC_EXPIRES,
                                           rtm_user_id: 'agent-1001', rtm_token_expire_seconds: 3600),
              channel_name: 'agent-room', uid: 1001, role: 1, token_expire: 3600, privilege_expires: RTC_EXPIRES_RECORD,
              rtm_user_id: 'agent-1001', rtm_token_expire: 3600)
    keep.call('stt', 'stt007',
              @client.build_stt_token(app_id: APP_ID, channel_name: 'meeting', account: 'stt-bot', role: 'subscriber',
                                      privilege_expires: { join_channel_privilege_expire: 600 },
                                      rtm_user_id: 'stt-bot-rtm'),
              channel_name: 'meeting', account: 'stt-bot', role: 2, token_expire: 0,
              privilege_expires: NO_RTC_EXPIRES_RECORD.merge(join_channel: 600), rtm_user_id: 'stt-bot-rtm',
              rtm_token_expire: 0)

    batch = @client.build_tokens(items: [
                                   { access_token: { app_id: APP_ID, services: ACCESS_TOKEN_GRANTS.first(2) } },
                                   { fpa: { app_id: APP_ID } },
                                   { apaas: { app_id: APP_ID, kind: :room_user, room_uuid: 'room-b', user_uuid: 'pupil',
                                              role: 2 } },
                                   { rtm: { app_id: APP_ID, user_id: 'rtm2-batch', token_version: '007',
                                            rtm2_resources: RTM2_RESOURCES } },
                                   { convo_ai: { app_id: APP_ID, channel_name: 'batch-room', account: 'agent',
                                                 privilege_expires: RTC_EXPIRES, rtm_user_id: 'agent-b' } },
                                   { stt: { app_id: APP_ID, channel_name: 'batch-room', uid: 7, role: :publisher,
                                            rtm_user_id: 'stt-b' } }
                                 ])
    assert_equal [:token] * 6, batch.results.map(&:outcome), batch.results.map(&:error).inspect
    tokens = batch.results.map(&:token)
    keep.call('batch_access_token', 'access_token2_007', tokens[0], services: ACCESS_TOKEN_RECORDS.first(2),
                                                                    token_expire: 0)
    keep.call('batch_fpa', 'fpa007', tokens[1], token_expire: 86_400)
    keep.call('batch_room_user', 'apaas007_room_user', tokens[2], room_uuid: 'room-b', user_uuid: 'pupil', role: 2,
                                                                  token_expire: 0)
    keep.call('batch_rtm2', 'rtm2_007', tokens[3], user_id: 'rtm2-batch', rtm2_resources: RTM2_RESOURCES, token_expire: 0)
    keep.call('batch_convo_ai', 'convoai007', tokens[4], channel_name: 'batch-room', account: 'agent', role: 1,
                                                         token_expire: 0, privilege_expires: RTC_EXPIRES_RECORD,
                                                         rtm_user_id: 'agent-b', rtm_token_expire: 0)
    keep.call('batch_stt', 'stt007', tokens[5], channel_name: 'batch-room', uid: 7, role: 1, token_expire: 0,
                                                privilege_expires: NO_RTC_EXPIRES_RECORD, rtm_user_id: 'stt-b',
                                                rtm_token_expire: 0)
    built
  end

  def run_verifier(records)
    assert NODE, 'Node.js not found; set AGORA_TOKEN_NODE or put node on PATH'
    path = File.join(WORK_DIR, "tokens-#{SecureRandom.hex(4)}.jsonl")
    File.write(path, records.map { |record| "#{JSON.generate(record)}\n" }.join)
    status, output = run_bounded([NODE, VERIFIER, path])
    [status, output.strip.lines.last.to_s.strip, output]
  end

  def test_rtc_tokens_with_uid_and_account_pass_agora_official_package
    now = Time.now.to_i
    records = []

    # The product document's RtcTokenBuilder params, passed on in one line.
    params = { app_id: APP_ID, app_certificate: APP_CERTIFICATE, channel_name: 'ruby e2e!', uid: 2_882_341_273,
               role: AgoraToken::Role::PUBLISHER, privilege_expired_ts: 0 }
    token = @client.build_token_with_uid(**params.except(:app_certificate), token_version: '006')
    assert token.start_with?('006'), token[0, 3]
    decoded = @client.decode_token(token: token, channel_name: 'ruby e2e!', uid: 2_882_341_273)
    assert_equal :SIGNATURE_STATE_VALID, decoded.signature

    response = @client.build_rtc_token_with_uid(app_id: APP_ID, channel_name: 'ruby e2e!', uid: 2_882_341_273,
                                                role: :publisher, token_version: :TOKEN_VERSION_006)
    records << verifier_record('rtc006_uid', 'rtc006', response,
                               channel_name: 'ruby e2e!', uid: 2_882_341_273, role: 1, privilege_expired_ts: 0)

    expired_ts = now + 3600
    response = @client.build_rtc_token_with_account(app_id: APP_ID, channel_name: 'room[1]', account: 'user@example.com',
                                                    role: AgoraToken::Role::SUBSCRIBER,
                                                    privilege_expired_ts: expired_ts, token_version: '006')
    records << verifier_record('rtc006_account', 'rtc006', response,
                               channel_name: 'room[1]', account: 'user@example.com', role: 2,
                               privilege_expired_ts: expired_ts)

    response = @client.build_rtc_token_with_uid(app_id: APP_ID, channel_name: 'ruby e2e!', uid: 12_345, role: 1,
                                                token_version: '007', token_expire_seconds: 7200)
    assert_equal 7200, response.expire_ts - response.issue_ts
    records << verifier_record('rtc007_uid', 'rtc007', response,
                               channel_name: 'ruby e2e!', uid: 12_345, role: 1, privilege_expire: 0,
                               token_expire: 7200, with_rtm: false)

    # With token_expire_seconds 0 the token expires at privilege_expired_ts
    # too: both become spans after the issue time.
    expired_ts = now + 1800
    response = @client.build_rtc_token_with_account(app_id: APP_ID, channel_name: 'room[1]', account: 'Alice_01',
                                                    role: 'subscriber', privilege_expired_ts: expired_ts,
                                                    token_version: '007')
    span = expired_ts - response.issue_ts
    records << verifier_record('rtc007_account', 'rtc007', response,
                               channel_name: 'room[1]', account: 'Alice_01', role: 2, privilege_expire: span,
                               token_expire: span, with_rtm: false)

    records.each { |record| assert record[:token].start_with?(record[:kind][3..]), record[:shape] }
    status, summary, output = run_verifier(records)
    assert_equal "#{records.size} passed, 0 failed", summary, output
    assert_equal 0, status, output

    # The same check must notice a damaged token, or it proves nothing.
    damaged = records[2].dup
    middle = damaged[:token].size / 2
    damaged[:token] = damaged[:token].dup.tap { |t| t[middle] = t[middle] == 'A' ? 'B' : 'A' }
    status, summary, output = run_verifier([records[0], records[1], damaged, records[3]])
    assert_equal '3 passed, 1 failed', summary, output
    refute_equal 0, status, output
    assert_includes output, 'case=rtc007_uid '
  end

  def test_every_new_kind_passes_agora_official_package
    records = build_new_kinds.values.map(&:last)
    records.each { |record| assert record[:token].start_with?('007'), record[:shape] }
    status, summary, output = run_verifier(records)
    assert_equal "#{records.size} passed, 0 failed", summary, output
    assert_equal 0, status, output
  end

  def test_every_new_kind_decodes_to_its_services
    want_types = {
      'access_token' => %w[RTC RTM STREAMING FCDN APAAS RTM2 CONVO_AI], 'fpa' => %w[FPA],
      'room_user' => %w[RTM CHAT APAAS], 'apaas_user' => %w[APAAS], 'apaas_app' => %w[APAAS],
      'rtm_with_permissions' => %w[RTM2], 'rtc_with_rtm2_uid' => %w[RTC RTM], 'rtc_with_rtm2_account' => %w[RTC RTM],
      'convo_ai' => %w[RTC RTM CONVO_AI], 'stt' => %w[RTC RTM STT]
    }
    built = build_new_kinds
    services = want_types.to_h do |shape, types|
      response = built.fetch(shape).first
      decoded = @client.decode_token(token: response.token)
      assert_equal %i[SIGNATURE_STATE_VALID EXPIRY_STATE_VALID], [decoded.signature, decoded.expiry], shape
      decoded_services = decoded.token007.services
      assert_equal types.map { |t| :"SERVICE_TYPE_#{t}" }, decoded_services.map(&:type), shape
      # The response lists every privilege the token holds.
      assert_equal decoded_services.flat_map { |s| s.privileges.map { |p| [s.type, p.privilege] } }.sort,
                   response.privilege_expiries.map { |e| [e.service, e.privilege] }.sort, shape
      [shape, decoded_services.to_h { |s| [s.type.to_s.delete_prefix('SERVICE_TYPE_'), s] }]
    end
    apaas = services['room_user']['APAAS']
    assert_equal ['room-42', 'teacher-1', 1, [1]], [apaas.room_uuid, apaas.user_uuid, apaas.role, apaas.privileges.map(&:privilege)]
    assert_equal [3], services['apaas_app']['APAAS'].privileges.map(&:privilege)
    rtm2 = services['rtm_with_permissions']['RTM2']
    assert_equal 'rtm2-user', rtm2.user_id
    assert_equal [[0, [[0, %w[ch-a ch-b]], [1, %w[ch-a]]]], [4, [[0, %w[peer-1]]]]],
                 rtm2.rtm2_resources.map { |r| [r.resource_type, r.permissions.map { |p| [p.permission_type, p.names.to_a] }] }
    with_rtm2 = services['rtc_with_rtm2_uid']
    assert_equal %w[4242 agent-x], [with_rtm2['RTC'].account, with_rtm2['RTM'].user_id]
    assert_equal [1], services['stt']['RTC'].privileges.map(&:privilege)
  end

  def test_new_requests_raise_field_violations
    error = assert_raises(AgoraToken::Error) do
      @client.build_room_user_token(app_id: APP_ID, room_uuid: 'room/1', user_uuid: 'teacher-1', role: 1)
    end
    assert_equal GRPC::Core::StatusCodes::INVALID_ARGUMENT, error.code
    assert_equal ['room_uuid'], error.field_violations.map(&:field)

    error = assert_raises(AgoraToken::Error) do
      @client.build_access_token(app_id: APP_ID, services: [{ type: :rtc, channel_name: 'c', room_uuid: 'r',
                                                              privileges: [{ privilege: 1 }] }])
    end
    assert_equal GRPC::Core::StatusCodes::INVALID_ARGUMENT, error.code
    assert_equal ['services[0].room_uuid'], error.field_violations.map(&:field)

    assert_raises(ArgumentError) { @client.build_token_with_rtm2(app_id: APP_ID, channel_name: 'c', rtm_user_id: 'r') }
  end

  def test_invalid_channel_name_raises_error_with_field_violation
    error = assert_raises(AgoraToken::Error) do
      @client.build_token_with_uid(app_id: APP_ID, channel_name: 'bad*name', uid: 1, role: AgoraToken::Role::PUBLISHER,
                                   privilege_expired_ts: 0)
    end
    assert_equal GRPC::Core::StatusCodes::INVALID_ARGUMENT, error.code
    assert_equal 'INVALID_ARGUMENT', error.code_name
    refute_empty error.details
    assert_includes error.field_violations.map(&:field), 'channel_name', error.message
    assert(error.field_violations.all? { |violation| !violation.description.empty? })
    refute_includes error.message, APP_CERTIFICATE
  end

  def test_account_method_mirrors_the_product_document
    token = @client.build_token_with_account(app_id: APP_ID, channel_name: 'acct', account: 'bob@example',
                                             role: AgoraToken::Role::SUBSCRIBER, privilege_expired_ts: 0)
    decoded = @client.decode_token(token: token)
    assert_equal :SIGNATURE_STATE_VALID, decoded.signature
    rtc = decoded.token007.services.first
    assert_equal ['acct', 'bob@example'], [rtc.channel_name, rtc.account]
    # A subscriber may only join: one privilege.
    assert_equal [1], rtc.privileges.map(&:privilege)
  end

  def test_batch_item_error_converts_to_agora_token_error
    response = @client.build_tokens(items: [
                                      { rtc_with_account: { app_id: APP_ID, channel_name: 'fine', account: 'erin' } },
                                      { rtc_with_uid: { app_id: APP_ID, channel_name: 'bad*name', uid: 5 } }
                                    ])
    assert_equal 2, response.results.size
    assert_equal :token, response.results[0].outcome
    assert response.results[0].token.token.start_with?('007')
    error = AgoraToken::Error.from_status(response.results[1].error)
    assert_equal GRPC::Core::StatusCodes::INVALID_ARGUMENT, error.code
    assert_equal ['channel_name'], error.field_violations.map(&:field)
  end

  def test_bad_requests_are_refused_before_sending
    assert_raises(ArgumentError) { @client.build_rtc_token_with_uid(appId: APP_ID) }
    assert_raises(RangeError) { @client.build_rtc_token_with_uid(app_id: APP_ID, role: :admin) }
    assert_raises(ArgumentError) do
      @client.build_token_with_uid(app_id: APP_ID, channel_name: 'c', uid: 1, role: 1) # no privilege_expired_ts
    end
  end

  def test_example_prints_a_token_the_server_decodes_as_valid
    status, output = run_bounded([RbConfig.ruby, "-I#{File.join(REPO_ROOT, 'clients', 'ruby', 'lib')}", EXAMPLE, TARGET],
                                 'AGORA_TOKEN_RUBY_GEN' => ENV['AGORA_TOKEN_RUBY_GEN'])
    assert_equal 0, status, output
    token = output.strip.lines.last.strip
    assert token.start_with?('007'), token[0, 3]
    decoded = @client.decode_token(token: token)
    assert_equal DEV_APP_ID, decoded.app_id
    assert_equal :SIGNATURE_STATE_VALID, decoded.signature
    rtc = decoded.token007.services.first
    assert_equal [:SERVICE_TYPE_RTC, 'demo-channel', '2882341273'], [rtc.type, rtc.channel_name, rtc.account]
    assert_equal 3600, decoded.expire_ts - decoded.issue_ts
  end
end

# A TokenService whose BuildRtcTokenWithUid records each call's metadata and
# deadline.
class ScriptedTokenService < AgoraToken::V1::TokenService::Service
  Call = Struct.new(:authorization, :deadline)

  attr_reader :calls

  def initialize
    super
    @calls = Queue.new
  end

  def build_rtc_token_with_uid(_request, call)
    @calls << Call.new(call.metadata['authorization'], call.deadline)
    AgoraToken::V1::BuildRtcTokenWithUidResponse.new(token: '007stub')
  end
end

class WhatTheClientAddsTest < Minitest::Test
  def setup
    @service = ScriptedTokenService.new
    @server = GRPC::RpcServer.new(pool_size: 2)
    port = @server.add_http2_port('127.0.0.1:0', :this_port_is_insecure)
    @server.handle(@service)
    @server_thread = Thread.new { @server.run }
    @server.wait_till_running(5)
    @target = "127.0.0.1:#{port}"
  end

  def teardown
    @server.stop
    @server_thread.join(5)
  end

  def drain_calls
    calls = []
    calls << @service.calls.pop until @service.calls.empty?
    calls
  end

  def test_api_key_travels_as_bearer_authorization
    AgoraToken::Client.new(@target, api_key: 'k-123').build_rtc_token_with_uid(app_id: 'a')
    assert_equal ['Bearer k-123'], drain_calls.map(&:authorization)
    AgoraToken::Client.new(@target).build_rtc_token_with_uid(app_id: 'a')
    assert_equal [nil], drain_calls.map(&:authorization)
  end

  # Seconds left before the deadline of one call through a new client.
  def deadline_left(client_options = {}, **call_options)
    started = Time.now
    AgoraToken::Client.new(@target, **client_options).build_rtc_token_with_uid(app_id: 'a', **call_options)
    drain_calls.first.deadline - started
  end

  def test_default_deadline_is_the_shared_timeout
    left = deadline_left
    assert_operator left, :>, SHARED_TIMEOUT - 1
    assert_operator left, :<=, SHARED_TIMEOUT + 0.1
  end

  def test_client_and_call_timeouts_override_the_default
    assert_in_delta 2.5, deadline_left({ timeout: 3 }), 0.6
    assert_in_delta 0.4, deadline_left({ timeout: 3 }, timeout: 0.8), 0.5
    # A call may also set a longer deadline than its client's.
    assert_in_delta 7.5, deadline_left({ timeout: 1 }, timeout: 8), 0.6
  end

  # Runs flaky_token_server.js in mode, yields its target, and returns how
  # many calls it saw.
  def with_flaky_server(mode)
    assert NODE, 'Node.js not found; set AGORA_TOKEN_NODE or put node on PATH'
    io = IO.popen([NODE, File.join(__dir__, 'flaky_token_server.js'), mode], 'r+', err: %i[child out])
    begin
      ready = IO.select([io], nil, nil, SERVER_START_TIMEOUT)
      line = ready && io.gets
      port = line && line[/\Aport (\d+)/, 1]
      assert port, "flaky_token_server.js did not start: #{line.inspect}"
      yield "127.0.0.1:#{port}"
    ensure
      io.close_write # the script exits when its stdin closes
      output = Timeout.timeout(SERVER_STOP_TIMEOUT) { io.read }
      io.close
    end
    output.lines.count { |l| l.start_with?('call ') }
  end

  # Retries are tested against grpc-js: see flaky_token_server.js for why not
  # against Ruby's server.
  def test_unavailable_is_retried_and_other_errors_are_not
    token = nil
    calls = with_flaky_server('unavailable-twice') do |target|
      token = AgoraToken::Client.new(target).build_rtc_token_with_uid(app_id: 'a').token
    end
    assert_equal '007stub', token
    assert_equal 3, calls

    error = nil
    calls = with_flaky_server('invalid-argument') do |target|
      error = assert_raises(AgoraToken::Error) { AgoraToken::Client.new(target).build_rtc_token_with_uid(app_id: 'a') }
    end
    assert_equal GRPC::Core::StatusCodes::INVALID_ARGUMENT, error.code
    assert_equal 1, calls
  end

  def test_gives_up_after_the_shared_max_attempts
    error = nil
    calls = with_flaky_server('unavailable-always') do |target|
      error = assert_raises(AgoraToken::Error) { AgoraToken::Client.new(target).build_rtc_token_with_uid(app_id: 'a') }
    end
    assert_equal GRPC::Core::StatusCodes::UNAVAILABLE, error.code
    assert_equal 4, SHARED_MAX_ATTEMPTS # the README states it
    assert_equal SHARED_MAX_ATTEMPTS, calls
  end
end

# The retry policy and default deadline are those of
# clients/service_config.json, which all five clients share.
class SharedServiceConfigTest < Minitest::Test
  def test_client_reads_the_shared_file
    # Also fails on a stale copy left in lib/ by ./gen.sh lib.
    assert_equal File.read(SHARED_SERVICE_CONFIG_PATH), File.read(AgoraToken::Client::SERVICE_CONFIG_PATH)
    assert_equal JSON.parse(File.read(SHARED_SERVICE_CONFIG_PATH)), AgoraToken::Client::SERVICE_CONFIG
    assert_equal SHARED_TIMEOUT, AgoraToken::Client::DEFAULT_TIMEOUT
    assert_equal 5.0, SHARED_TIMEOUT # the README states it
    assert_equal %w[UNAVAILABLE CANCELLED], SHARED_METHOD_CONFIG.dig('retryPolicy', 'retryableStatusCodes')
  end

  def test_gem_packs_the_shared_file
    # Built from a copy of the tree, so the checkout gets no build output.
    Dir.mktmpdir('agora-token-gem-') do |work|
      FileUtils.mkdir_p(File.join(work, 'clients'))
      FileUtils.cp_r(File.join(REPO_ROOT, 'clients', 'ruby'), File.join(work, 'clients'))
      FileUtils.cp(SHARED_SERVICE_CONFIG_PATH, File.join(work, 'clients'))
      FileUtils.cp_r(File.join(REPO_ROOT, 'proto'), work)
      gem_dir = File.join(work, 'clients', 'ruby')
      FileUtils.rm_f(File.join(gem_dir, 'lib', 'agora_token', 'service_config.json'))
      gem_build = ['sh', '-c', 'cd "$0" && gem build agora_token_client.gemspec', gem_dir]
      status, output = run_bounded(gem_build)
      refute_equal 0, status, "gem build packed no service config:\n#{output}"
      assert_match(/service_config.json is missing or stale/, output)
      status, output = run_bounded([File.join(gem_dir, 'gen.sh'), File.join(gem_dir, 'lib')])
      assert_equal 0, status, output
      status, output = run_bounded(gem_build)
      assert_equal 0, status, output
      unpacked = File.join(work, 'unpacked')
      Gem::Package.new(Dir[File.join(gem_dir, '*.gem')].fetch(0)).extract_files(unpacked)
      assert_equal File.read(SHARED_SERVICE_CONFIG_PATH),
                   File.read(File.join(unpacked, 'lib', 'agora_token', 'service_config.json'))
    end
  end
end
