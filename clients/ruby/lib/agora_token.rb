# frozen_string_literal: true

# Entry point of the agora_token_client gem: require 'agora_token'.
require_relative 'agora_token/client'
