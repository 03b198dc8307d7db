/* confab-cli-chat.c: "confab-cli chat"
 *
 * Without --events the reply goes to stdout exactly as it arrives and the
 * reasoning to stderr; with --events stdout carries one JSON object per
 * event. Both are flushed as the deltas arrive so a pipe sees the stream
 * live; the deltas of one read from the network go out in one write.
 *
 * Every chat is recorded in the history: a new conversation, or with
 * --conversation/--continue the next turn of one, whose whole history is
 * sent. A ConfabChatRecorder saves the prompt before anything is sent and
 * the reply while it streams.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "confab-chat-recorder.h"
#include "confab-chat-stream.h"
#include "confab-cli.h"
#include "confab-util.h"

typedef struct
{
  gboolean    events;
  /* stdout bytes not written yet */
  GString    *line;
  guint       flush_id;
  /* Set once the conversation is in the history. */
  const char *conversation_id;
  gboolean    printed_text;
  gboolean    text_ends_in_newline;
  gboolean    printed_reasoning;
  gboolean    reasoning_ends_in_newline;
  gboolean    done;
  GError     *error;
} ChatOutput;

static void
flush_output (ChatOutput *out)
{
  g_clear_handle_id (&out->flush_id, g_source_remove);
  if (out->line->len == 0)
    return;
  fwrite (out->line->str, 1, out->line->len, stdout);
  fflush (stdout);
  g_string_truncate (out->line, 0);
}

static gboolean
on_flush_due (gpointer user_data)
{
  ChatOutput *out = user_data;

  out->flush_id = 0;
  flush_output (out);
  return G_SOURCE_REMOVE;
}

/* A write and a flush per delta cost more than decoding it. The stream
 * feeds the deltas of one read from the network in one go; this flush
 * runs as soon as it hands the main loop back, before anything else. */
static void
queue_flush (ChatOutput *out)
{
  if (out->flush_id == 0)
    out->flush_id = g_idle_add_full (G_PRIORITY_HIGH, on_flush_due, out, NULL);
}

static void
emit_line (ChatOutput *out)
{
  g_string_append_c (out->line, '\n');
  flush_output (out);
}

static void
emit_text_event (ChatOutput *out,
                 const char *type,
                 const char *text)
{
  g_string_append (out->line, "{\"type\":\"");
  g_string_append (out->line, type);
  g_string_append (out->line, "\",\"text\":");
  confab_json_escape_append (out->line, text, -1);
  g_string_append (out->line, "}\n");
  queue_flush (out);
}

static void
on_text (ConfabChatStream *stream,
         const char       *text,
         ChatOutput       *out)
{
  gsize len = strlen (text);

  if (out->events)
    {
      emit_text_event (out, "text", text);
      return;
    }

  /* Reasoning went to stderr; end its line before the answer starts. */
  if (out->printed_reasoning && !out->reasoning_ends_in_newline)
    {
      fputc ('\n', stderr);
      out->reasoning_ends_in_newline = TRUE;
    }

  g_string_append_len (out->line, text, len);
  queue_flush (out);
  out->printed_text = TRUE;
  out->text_ends_in_newline = len > 0 && text[len - 1] == '\n';
}

static void
on_reasoning (ConfabChatStream *stream,
              const char       *text,
              ChatOutput       *out)
{
  gsize len = strlen (text);

  if (out->events)
    {
      emit_text_event (out, "reasoning", text);
      return;
    }

  /* The answer so far goes out before reasoning that came after it. */
  flush_output (out);
  fwrite (text, 1, len, stderr);
  fflush (stderr);
  out->printed_reasoning = TRUE;
  out->reasoning_ends_in_newline = len > 0 && text[len - 1] == '\n';
}

static void
on_run (GObject      *source,
        GAsyncResult *result,
        gpointer      user_data)
{
  ChatOutput *out = user_data;

  confab_chat_recorder_run_finish (CONFAB_CHAT_RECORDER (source), result, &out->error);
  out->done = TRUE;
}

static void
emit_usage (ChatOutput       *out,
            ConfabChatStream *stream)
{
  gint64 input = confab_chat_stream_get_input_tokens (stream);
  gint64 output = confab_chat_stream_get_output_tokens (stream);

  if (input < 0 && output < 0)
    return;
  g_string_append_printf (out->line,
                          "{\"type\":\"usage\",\"input_tokens\":%" G_GINT64_FORMAT
                          ",\"output_tokens\":%" G_GINT64_FORMAT "}",
                          MAX (input, 0), MAX (output, 0));
  emit_line (out);
}

static void
append_conversation_member (ChatOutput *out)
{
  if (out->conversation_id == NULL)
    return;
  g_string_append (out->line, ",\"conversation\":");
  confab_json_escape_append (out->line, out->conversation_id, -1);
}

static void
emit_error (ChatOutput       *out,
            ConfabChatStream *stream,
            const GError     *error)
{
  ConfabErrorCode code = confab_error_code_from_error (error);

  g_string_append (out->line, "{\"type\":\"error\",\"code\":\"");
  g_string_append (out->line, confab_error_code_to_string (code));
  g_string_append_printf (out->line, "\",\"status\":%u,\"message\":",
                          SOUP_STATUS_IS_SUCCESSFUL (confab_chat_stream_get_status (stream))
                          ? 0 : confab_chat_stream_get_status (stream));
  confab_json_escape_append (out->line, error->message, -1);
  append_conversation_member (out);
  g_string_append_c (out->line, '}');
  emit_line (out);
}

static void
emit_done (ChatOutput       *out,
           ConfabChatStream *stream)
{
  const char *finish_reason = confab_chat_stream_get_finish_reason (stream);

  g_string_append (out->line, "{\"type\":\"done\",\"finish_reason\":");
  if (finish_reason != NULL)
    confab_json_escape_append (out->line, finish_reason, -1);
  else
    g_string_append (out->line, "null");
  append_conversation_member (out);
  g_string_append_c (out->line, '}');
  emit_line (out);
}

static char *
read_all_stdin (void)
{
  g_autoptr(GString) text = g_string_new (NULL);
  char buffer[8192];
  size_t n;

  while ((n = fread (buffer, 1, sizeof buffer, stdin)) > 0)
    g_string_append_len (text, buffer, n);
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static guint
timeout_from_env (const char *name,
                  guint       fallback_ms)
{
  const char *value = g_getenv (name);
  char *end = NULL;
  double seconds;

  if (value == NULL)
    return fallback_ms;
  seconds = g_ascii_strtod (value, &end);
  if (end == value || seconds < 0)
    return fallback_ms;
  return (guint)(seconds * 1000);
}

static void
apply_timeouts (ConfabChatStream *stream)
{
  confab_chat_stream_set_timeouts (stream,
                                   timeout_from_env ("CONFAB_CONNECT_TIMEOUT", 15000),
                                   timeout_from_env ("CONFAB_FIRST_BYTE_TIMEOUT", 120000),
                                   timeout_from_env ("CONFAB_STALL_TIMEOUT", 90000));
}

typedef struct
{
  char    *account;
  char    *model;
  char    *system;
  char    *fallback;
  char    *conversation;
  double   temperature;
  gint64   max_tokens;
  gboolean events;
  gboolean continue_latest;
} ChatOptions;

/* The account named with --account, else the one a continued conversation
 * used (if it still exists), else the default. */
static int
resolve_account (ConfabAccountStore  *store,
                 const ChatOptions   *options,
                 ConfabConversation  *conversation,
                 ConfabAccount      **account)
{
  const char *previous = conversation ? confab_conversation_get_account_id (conversation) : NULL;

  *account = NULL;
  if (options->account != NULL)
    *account = confab_account_store_lookup_by_name (store, options->account);
  else if (previous != NULL)
    *account = confab_account_store_lookup_by_id (store, previous);
  if (*account == NULL && options->account == NULL)
    *account = confab_account_store_get_default (store);

  if (*account != NULL)
    return CONFAB_EXIT_OK;
  if (options->account != NULL)
    return confab_cli_fail (CONFAB_EXIT_USAGE, "no account named “%s”", options->account);
  return confab_cli_fail (CONFAB_EXIT_USAGE,
                          "no account yet; add one with “confab-cli accounts add”");
}

/* Collects the accounts to try in order: the chosen one, then --fallback's. */
static int
resolve_fallbacks (ConfabAccountStore *store,
                   const ChatOptions  *options,
                   GPtrArray          *accounts)
{
  g_auto(GStrv) names = NULL;

  if (options->fallback == NULL)
    return CONFAB_EXIT_OK;

  names = g_strsplit (options->fallback, ",", -1);
  for (guint i = 0; names[i] != NULL; i++)
    {
      const char *name = g_strstrip (names[i]);
      ConfabAccount *account;

      if (*name == '\0')
        continue;
      account = confab_account_store_lookup_by_name (store, name);
      if (account == NULL)
        return confab_cli_fail (CONFAB_EXIT_USAGE, "--fallback: no account named “%s”", name);
      if (!g_ptr_array_find (accounts, account, NULL))
        g_ptr_array_add (accounts, g_object_ref (account));
    }
  return CONFAB_EXIT_OK;
}

/* --model applies to the first account, and so does the model a continued
 * conversation used with it; a fallback uses its own default. */
static const char *
resolve_model (ConfabAccount      *account,
               const ChatOptions  *options,
               ConfabConversation *conversation,
               gboolean            first)
{
  if (first && options->model != NULL)
    return options->model;
  if (first && confab_conversation_get_model (conversation) != NULL &&
      g_strcmp0 (confab_conversation_get_account_id (conversation),
                 confab_account_get_id (account)) == 0)
    return confab_conversation_get_model (conversation);
  return confab_account_get_default_model (account);
}

static int
finish_output (ChatOutput       *out,
               ConfabChatStream *stream)
{
  int status = CONFAB_EXIT_OK;

  flush_output (out);
  if (!out->events)
    {
      if (out->printed_reasoning && !out->reasoning_ends_in_newline)
        fputc ('\n', stderr);
      if (out->printed_text && !out->text_ends_in_newline)
        fputc ('\n', stdout);
      fflush (stdout);
    }

  if (out->events)
    emit_usage (out, stream);

  if (out->error == NULL)
    {
      if (out->events)
        emit_done (out, stream);
      else if (out->conversation_id != NULL)
        fprintf (stderr, "conversation: %s\n", out->conversation_id);
      return CONFAB_EXIT_OK;
    }

  if (confab_cli_was_interrupted ())
    g_clear_error (&out->error),
    out->error = g_error_new_literal (CONFAB_ERROR, CONFAB_ERROR_CANCELLED, "Interrupted");

  if (out->events)
    emit_error (out, stream, out->error);
  else
    confab_cli_fail (CONFAB_EXIT_FAILURE, "%s", out->error->message);

  status = confab_cli_exit_status_for_error (out->error);
  g_clear_error (&out->error);
  return status;
}

static void
emit_failover (ChatOutput    *out,
               ConfabAccount *from,
               ConfabAccount *to,
               const GError  *reason)
{
  if (!out->events)
    {
      gboolean sentence = g_str_has_suffix (reason->message, ".");

      fprintf (stderr, sentence ? "confab-cli: %s Continuing with the account “%s”.\n"
                                : "confab-cli: %s; continuing with the account “%s”\n",
               reason->message, confab_account_get_name (to));
      return;
    }

  g_string_append (out->line, "{\"type\":\"failover\",\"from\":");
  confab_json_escape_append (out->line, confab_account_get_name (from), -1);
  g_string_append (out->line, ",\"to\":");
  confab_json_escape_append (out->line, confab_account_get_name (to), -1);
  g_string_append (out->line, ",\"reason\":");
  confab_json_escape_append (out->line,
                             confab_error_code_to_string (confab_error_code_from_error (reason)),
                             -1);
  g_string_append (out->line, ",\"message\":");
  confab_json_escape_append (out->line, reason->message, -1);
  g_string_append_c (out->line, '}');
  emit_line (out);
}

typedef struct
{
  ConfabConversation *conversation;
  ConfabChatRecorder *recorder;
  /* The history up to and including the new prompt. */
  guint               n_context;
} ChatSession;

static ConfabChatStream *
start_stream (ConfabAccount     *account,
              ChatSession       *session,
              const char        *model,
              ChatOutput        *out,
              GError           **error)
{
  g_autoptr(ConfabProvider) provider = NULL;
  g_autoptr(ConfabChatRequest) request = NULL;
  ConfabChatStream *stream;

  if ((provider = confab_provider_new_for_account (account, error)) == NULL)
    return NULL;

  /* Without reasoning, and without failed or cancelled replies. */
  request = confab_chat_request_new_for_conversation (session->conversation, model,
                                                      session->n_context);

  stream = confab_chat_stream_new (account, provider, request);
  apply_timeouts (stream);
  g_signal_connect (stream, "text", G_CALLBACK (on_text), out);
  g_signal_connect (stream, "reasoning", G_CALLBACK (on_reasoning), out);
  confab_chat_recorder_run_async (session->recorder, stream, confab_cli_get_interrupt (),
                                  on_run, out);
  return stream;
}

/* Another account takes over only when nothing has streamed yet and the
 * failure is the account's or the provider's, not the user's request. */
static gboolean
should_fail_over (ChatOutput       *out,
                  ConfabChatStream *stream,
                  gboolean          more_accounts)
{
  return more_accounts && out->error != NULL && !confab_cli_was_interrupted () &&
         !confab_chat_stream_get_has_streamed (stream) &&
         confab_error_code_allows_failover (confab_error_code_from_error (out->error));
}

/* A history error either came before anything was sent (the stream never
 * ran) or after the reply was shown, when its final state could not be
 * written. */
static int
finish_history_error (ChatOutput       *out,
                      ConfabChatStream *stream)
{
  g_autoptr(GError) error = g_steal_pointer (&out->error);

  if (confab_chat_stream_get_duration (stream) < 0)
    return confab_cli_fail (CONFAB_EXIT_FAILURE, "nothing was sent: %s", error->message);

  finish_output (out, stream);
  return confab_cli_fail (CONFAB_EXIT_FAILURE, "the reply could not be saved: %s",
                          error->message);
}

static int
run_chat (GPtrArray         *accounts,
          const ChatOptions *options,
          ChatSession       *session)
{
  ChatOutput out = { options->events, g_string_new (NULL), 0, NULL, FALSE, FALSE, FALSE, FALSE,
                     FALSE, NULL };
  g_autoptr(ConfabChatStream) stream = NULL;
  int status = CONFAB_EXIT_OK;

  for (guint i = 0; i < accounts->len; i++)
    {
      ConfabAccount *account = g_ptr_array_index (accounts, i);
      const char *model = resolve_model (account, options, session->conversation, i == 0);
      g_autoptr(GError) error = NULL;

      if (model == NULL)
        {
          status = confab_cli_fail (CONFAB_EXIT_USAGE,
                                    "the account “%s” has no default model; pass --model",
                                    confab_account_get_name (account));
          break;
        }

      g_clear_object (&stream);
      out.done = FALSE;
      stream = start_stream (account, session, model, &out, &error);
      if (stream == NULL)
        {
          status = confab_cli_fail_error (error);
          break;
        }
      confab_cli_wait (&out.done);
      if (confab_chat_recorder_get_saved (session->recorder))
        out.conversation_id = confab_conversation_get_id (session->conversation);

      if (out.error != NULL && out.error->domain == CONFAB_HISTORY_ERROR)
        {
          status = finish_history_error (&out, stream);
          break;
        }
      if (should_fail_over (&out, stream, i + 1 < accounts->len))
        {
          emit_failover (&out, account, g_ptr_array_index (accounts, i + 1), out.error);
          g_clear_error (&out.error);
          continue;
        }

      status = finish_output (&out, stream);
      break;
    }

  flush_output (&out);
  g_string_free (out.line, TRUE);
  return status;
}

/* The conversation named by --conversation or --continue; NULL and
 * *status set when there is none. */
static ConfabConversation *
open_conversation (ConfabHistoryStore *history,
                   const ChatOptions  *options,
                   int                *status)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) latest = NULL;
  ConfabConversation *conversation = NULL;

  if (options->conversation != NULL)
    conversation = confab_history_store_load (history, options->conversation, NULL, &error);
  else if ((latest = confab_history_store_list (history, 1, NULL, &error)) != NULL)
    {
      if (latest->len == 0)
        {
          *status = confab_cli_fail (CONFAB_EXIT_USAGE, "there is no conversation to continue yet");
          return NULL;
        }
      conversation = confab_history_store_load (history,
                                                confab_conversation_get_id (latest->pdata[0]),
                                                NULL, &error);
    }

  if (conversation == NULL)
    *status = confab_cli_fail_history (error);
  return conversation;
}

/* The settings given on the command line become the conversation's. */
static void
configure_conversation (ConfabConversation *conversation,
                        const ChatOptions  *options,
                        ConfabAccount      *account)
{
  confab_conversation_set_model (conversation,
                                 resolve_model (account, options, conversation, TRUE));
  confab_conversation_set_account_id (conversation, confab_account_get_id (account));
  if (options->system != NULL)
    confab_conversation_set_system_prompt (conversation, options->system);
  if (options->temperature >= 0)
    confab_conversation_set_temperature (conversation, options->temperature);
  if (options->max_tokens > 0)
    confab_conversation_set_max_tokens (conversation, options->max_tokens);
}

static int
check_options (int                argc,
               const ChatOptions *options)
{
  if (argc > 2)
    return confab_cli_fail (CONFAB_EXIT_USAGE, "chat takes one PROMPT (quote it)");
  if (options->temperature != -1.0 && (options->temperature < 0 || options->temperature > 2))
    return confab_cli_fail (CONFAB_EXIT_USAGE, "--temperature must be between 0 and 2");
  if (options->max_tokens < 0)
    return confab_cli_fail (CONFAB_EXIT_USAGE, "--max-tokens must be positive");
  if (options->conversation != NULL && options->continue_latest)
    return confab_cli_fail (CONFAB_EXIT_USAGE,
                            "--conversation and --continue cannot be used together");
  return CONFAB_EXIT_OK;
}

/* Accounts, the conversation and the prompt, then the exchange. */
static int
chat (int                 argc,
      char              **argv,
      const ChatOptions  *options)
{
  g_autoptr(ConfabAccountStore) store = NULL;
  g_autoptr(ConfabHistoryStore) history = confab_history_store_new (NULL);
  g_autoptr(ConfabConversation) conversation = NULL;
  g_autoptr(ConfabMessage) message = NULL;
  g_autoptr(GPtrArray) accounts = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GError) error = NULL;
  g_autofree char *prompt = NULL;
  ChatSession session = { NULL, NULL, 0 };
  ConfabAccount *account;
  int status;

  if ((store = confab_cli_load_accounts (&error)) == NULL)
    return confab_cli_fail_error (error);
  if ((options->conversation != NULL || options->continue_latest) &&
      (conversation = open_conversation (history, options, &status)) == NULL)
    return status;
  if ((status = resolve_account (store, options, conversation, &account)) != CONFAB_EXIT_OK)
    return status;
  g_ptr_array_add (accounts, g_object_ref (account));
  if ((status = resolve_fallbacks (store, options, accounts)) != CONFAB_EXIT_OK)
    return status;

  prompt = argc == 2 ? g_strdup (argv[1]) : read_all_stdin ();
  if (confab_str_is_blank (prompt) || !g_utf8_validate (prompt, -1, NULL))
    return confab_cli_fail (CONFAB_EXIT_USAGE, "the prompt is empty or not UTF-8 text");

  if (conversation == NULL)
    conversation = confab_conversation_new (NULL);
  configure_conversation (conversation, options, account);
  message = confab_message_new (CONFAB_ROLE_USER, prompt);
  confab_conversation_append (conversation, message);

  session.conversation = conversation;
  session.n_context = g_list_model_get_n_items (G_LIST_MODEL (conversation));
  session.recorder = confab_chat_recorder_new (history, conversation);
  status = run_chat (accounts, options, &session);
  g_object_unref (session.recorder);
  return status;
}

int
confab_cli_chat (int    argc,
                 char **argv)
{
  ChatOptions options = { NULL, NULL, NULL, NULL, NULL, -1.0, 0, FALSE, FALSE };
  const GOptionEntry entries[] = {
    { "account", 0, 0, G_OPTION_ARG_STRING, &options.account, "Account to use (default: the default account)", "NAME" },
    { "model", 0, 0, G_OPTION_ARG_STRING, &options.model, "Model (default: the account’s)", "MODEL" },
    { "system", 0, 0, G_OPTION_ARG_STRING, &options.system, "System prompt", "TEXT" },
    { "temperature", 0, 0, G_OPTION_ARG_DOUBLE, &options.temperature, "Sampling temperature, 0 to 2", "T" },
    { "max-tokens", 0, 0, G_OPTION_ARG_INT64, &options.max_tokens, "Maximum reply tokens", "N" },
    { "events", 0, 0, G_OPTION_ARG_NONE, &options.events, "Print NDJSON events", NULL },
    { "fallback", 0, 0, G_OPTION_ARG_STRING, &options.fallback, "Accounts to continue with when the first fails before replying", "NAME[,NAME…]" },
    { "conversation", 0, 0, G_OPTION_ARG_STRING, &options.conversation, "Continue the conversation with this id", "ID" },
    { "continue", 0, 0, G_OPTION_ARG_NONE, &options.continue_latest, "Continue the most recent conversation", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context =
    confab_cli_option_context_new ("[PROMPT]", "Send a prompt and stream the reply.", entries);
  int status;

  if (confab_cli_parse_options (context, &argc, &argv, &status) &&
      (status = check_options (argc, &options)) == CONFAB_EXIT_OK)
    status = chat (argc, argv, &options);

  g_free (options.account);
  g_free (options.model);
  g_free (options.system);
  g_free (options.fallback);
  g_free (options.conversation);
  return status;
}
