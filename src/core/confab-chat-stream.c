/* confab-chat-stream.c
 *
 * One exchange: look up the credentials, send the request, and feed the
 * body to the provider's parser as it arrives, emitting a signal per
 * delta. Retries happen only before any body byte of a reply arrived, and
 * only for transient failures (reliability.md §5). Three timers guard the
 * exchange: connecting, waiting for the response, and silence between
 * body reads.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "confab-chat-stream.h"
#include "confab-http.h"
#include "confab-util.h"

#define DEFAULT_CONNECT_TIMEOUT_MS    15000
#define DEFAULT_FIRST_BYTE_TIMEOUT_MS 120000
#define DEFAULT_STALL_TIMEOUT_MS      90000
#define DEFAULT_MAX_RETRIES           2
#define MAX_RETRY_AFTER_MS            60000
#define MAX_ERROR_BODY                (1024 * 1024)
#define READ_SIZE                     16384
#define READ_BURST_SIZE               (64 * 1024)

typedef enum
{
  PHASE_CONNECT,
  PHASE_FIRST_BYTE,
  PHASE_BODY,
} Phase;

struct _ConfabChatStream
{
  GObject             parent_instance;

  ConfabAccount      *account;
  ConfabProvider     *provider;
  ConfabChatRequest  *request;
  guint               connect_timeout_ms;
  guint               first_byte_timeout_ms;
  guint               stall_timeout_ms;
  guint               max_retries;

  /* While running */
  GTask              *task;
  ConfabHttpContext  *context;
  SoupMessage        *message;
  GInputStream       *body;
  ConfabStreamParser *parser;
  GCancellable       *attempt_cancellable;
  gulong              cancelled_id;
  guint               timer_id;
  guint               retry_id;
  gint64              last_activity;
  guint8             *read_buffer;
  Phase               phase;
  guint               attempt;
  guint               timed_out : 1;
  guint               has_streamed : 1;
  guint               running : 1;

  /* Results */
  guint               status;
  char               *finish_reason;
  gint64              input_tokens;
  gint64              output_tokens;
  gint64              start_time;
  gint64              ttft;
  gint64              duration;
};

G_DEFINE_FINAL_TYPE (ConfabChatStream, confab_chat_stream, G_TYPE_OBJECT)

enum {
  TEXT,
  REASONING,
  USAGE,
  RETRYING,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void start_attempt (ConfabChatStream *self);
static void read_more (ConfabChatStream *self);

static void
clear_attempt (ConfabChatStream *self)
{
  g_clear_handle_id (&self->timer_id, g_source_remove);
  if (self->message != NULL)
    g_signal_handlers_disconnect_by_data (self->message, self);
  g_clear_object (&self->message);
  g_clear_object (&self->body);
  g_clear_object (&self->parser);
  g_clear_object (&self->attempt_cancellable);
  g_clear_pointer (&self->read_buffer, g_free);
  self->timed_out = FALSE;
}

static void
finish_run (ConfabChatStream *self,
            GError           *error)
{
  g_autoptr(GTask) task = g_steal_pointer (&self->task);
  GCancellable *cancellable = g_task_get_cancellable (task);

  self->duration = (g_get_monotonic_time () - self->start_time) / 1000;
  clear_attempt (self);
  g_clear_handle_id (&self->retry_id, g_source_remove);
  if (cancellable != NULL && self->cancelled_id != 0)
    g_cancellable_disconnect (cancellable, self->cancelled_id);
  self->cancelled_id = 0;
  g_clear_pointer (&self->context, confab_http_context_free);
  self->running = FALSE;

  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
confab_chat_stream_dispose (GObject *object)
{
  ConfabChatStream *self = (ConfabChatStream *)object;

  /* A running stream holds a reference through its task. */
  g_assert (self->task == NULL);

  g_clear_object (&self->account);
  g_clear_object (&self->provider);
  g_clear_object (&self->request);

  G_OBJECT_CLASS (confab_chat_stream_parent_class)->dispose (object);
}

static void
confab_chat_stream_finalize (GObject *object)
{
  ConfabChatStream *self = (ConfabChatStream *)object;

  g_clear_pointer (&self->finish_reason, g_free);

  G_OBJECT_CLASS (confab_chat_stream_parent_class)->finalize (object);
}

static void
confab_chat_stream_class_init (ConfabChatStreamClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = confab_chat_stream_dispose;
  object_class->finalize = confab_chat_stream_finalize;

  signals[TEXT] =
    g_signal_new ("text", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1,
                  G_TYPE_STRING | G_SIGNAL_TYPE_STATIC_SCOPE);
  signals[REASONING] =
    g_signal_new ("reasoning", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1,
                  G_TYPE_STRING | G_SIGNAL_TYPE_STATIC_SCOPE);
  signals[USAGE] =
    g_signal_new ("usage", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_INT64, G_TYPE_INT64);
  /* attempt number (1-based), delay in ms, the error that caused it */
  signals[RETRYING] =
    g_signal_new ("retrying", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 3, G_TYPE_UINT, G_TYPE_UINT, G_TYPE_ERROR);
}

static void
confab_chat_stream_init (ConfabChatStream *self)
{
  self->connect_timeout_ms = DEFAULT_CONNECT_TIMEOUT_MS;
  self->first_byte_timeout_ms = DEFAULT_FIRST_BYTE_TIMEOUT_MS;
  self->stall_timeout_ms = DEFAULT_STALL_TIMEOUT_MS;
  self->max_retries = DEFAULT_MAX_RETRIES;
  self->input_tokens = -1;
  self->output_tokens = -1;
  self->ttft = -1;
  self->duration = -1;
}

ConfabChatStream *
confab_chat_stream_new (ConfabAccount     *account,
                        ConfabProvider    *provider,
                        ConfabChatRequest *request)
{
  ConfabChatStream *self;

  g_return_val_if_fail (CONFAB_IS_ACCOUNT (account), NULL);
  g_return_val_if_fail (CONFAB_IS_PROVIDER (provider), NULL);
  g_return_val_if_fail (CONFAB_IS_CHAT_REQUEST (request), NULL);

  self = g_object_new (CONFAB_TYPE_CHAT_STREAM, NULL);
  self->account = g_object_ref (account);
  self->provider = g_object_ref (provider);
  self->request = g_object_ref (request);
  return self;
}

/* Timers */

static GError *
timeout_error (ConfabChatStream *self)
{
  switch (self->phase)
    {
    case PHASE_CONNECT:
      return g_error_new (CONFAB_ERROR, CONFAB_ERROR_TIMEOUT,
                          _("Connecting to the provider took longer than %u seconds"),
                          self->connect_timeout_ms / 1000);
    case PHASE_FIRST_BYTE:
      return g_error_new (CONFAB_ERROR, CONFAB_ERROR_TIMEOUT,
                          _("The provider did not answer within %u seconds"),
                          self->first_byte_timeout_ms / 1000);
    case PHASE_BODY:
    default:
      return g_error_new (CONFAB_ERROR, CONFAB_ERROR_TIMEOUT,
                          _("The provider stopped sending for %u seconds"),
                          self->stall_timeout_ms / 1000);
    }
}

static gboolean
on_timer (gpointer user_data)
{
  ConfabChatStream *self = user_data;

  self->timer_id = 0;

  /* While the body streams, reads only note the time: re-arming a timer
   * per read would cost a GSource per chunk. */
  if (self->phase == PHASE_BODY)
    {
      gint64 idle_ms = (g_get_monotonic_time () - self->last_activity) / 1000;

      if (idle_ms < self->stall_timeout_ms)
        {
          self->timer_id = g_timeout_add (self->stall_timeout_ms - idle_ms, on_timer, self);
          return G_SOURCE_REMOVE;
        }
    }

  self->timed_out = TRUE;
  g_cancellable_cancel (self->attempt_cancellable);
  return G_SOURCE_REMOVE;
}

static void
arm_timer (ConfabChatStream *self,
           Phase             phase)
{
  guint ms = phase == PHASE_CONNECT ? self->connect_timeout_ms
           : phase == PHASE_FIRST_BYTE ? self->first_byte_timeout_ms
           : self->stall_timeout_ms;

  self->phase = phase;
  self->last_activity = g_get_monotonic_time ();
  g_clear_handle_id (&self->timer_id, g_source_remove);
  if (ms > 0)
    self->timer_id = g_timeout_add (ms, on_timer, self);
}

/* Errors and retries */

static gboolean
user_cancelled (ConfabChatStream *self)
{
  return g_cancellable_is_cancelled (g_task_get_cancellable (self->task));
}

static GError *
cancelled_error (void)
{
  return g_error_new_literal (CONFAB_ERROR, CONFAB_ERROR_CANCELLED, _("Cancelled"));
}

static gint64
backoff_ms (guint attempt)
{
  double seconds = MIN (0.5 * (1 << MIN (attempt, 10)), 8.0);

  return (gint64)(seconds * (1.0 - 0.25 * g_random_double ()) * 1000);
}

static gboolean
on_retry (gpointer user_data)
{
  ConfabChatStream *self = user_data;

  self->retry_id = 0;
  start_attempt (self);
  return G_SOURCE_REMOVE;
}

/* Takes @error. Retries while that makes sense, otherwise ends the run. */
static void
fail_or_retry (ConfabChatStream *self,
               GError           *error,
               gboolean          retryable,
               gint64            retry_after_ms)
{
  gint64 delay;

  clear_attempt (self);

  if (!retryable || self->has_streamed || self->attempt >= self->max_retries ||
      retry_after_ms > MAX_RETRY_AFTER_MS)
    {
      finish_run (self, error);
      return;
    }

  delay = retry_after_ms >= 0 ? retry_after_ms : backoff_ms (self->attempt);
  self->attempt++;
  g_signal_emit (self, signals[RETRYING], 0, self->attempt, (guint)delay, error);
  g_error_free (error);
  self->retry_id = g_timeout_add (delay, on_retry, self);
}

static void
fail_transport (ConfabChatStream *self,
                const GError     *error)
{
  GError *mapped;

  if (user_cancelled (self))
    {
      finish_run (self, cancelled_error ());
      return;
    }

  if (self->timed_out)
    mapped = timeout_error (self);
  else if (self->phase == PHASE_BODY)
    mapped = g_error_new (CONFAB_ERROR, CONFAB_ERROR_NETWORK,
                          _("The connection broke off before the reply was complete (%s)"),
                          error->message);
  else
    mapped = confab_http_transport_error (error, self->message, self->account);

  fail_or_retry (self, mapped, self->phase != PHASE_BODY, -1);
}

/* Deltas */

static void
on_delta (const ConfabDelta *delta,
          gpointer           user_data)
{
  ConfabChatStream *self = user_data;

  switch (delta->kind)
    {
    case CONFAB_DELTA_TEXT:
    case CONFAB_DELTA_REASONING:
      if (!self->has_streamed)
        self->ttft = (g_get_monotonic_time () - self->start_time) / 1000;
      self->has_streamed = TRUE;
      g_signal_emit (self, signals[delta->kind == CONFAB_DELTA_TEXT ? TEXT : REASONING], 0,
                     delta->text);
      break;
    case CONFAB_DELTA_USAGE:
      if (delta->input_tokens >= 0)
        self->input_tokens = delta->input_tokens;
      if (delta->output_tokens >= 0)
        self->output_tokens = delta->output_tokens;
      g_signal_emit (self, signals[USAGE], 0, self->input_tokens, self->output_tokens);
      break;
    default:
      g_assert_not_reached ();
    }
}

/* Reading the body */

/* Feeds the @len bytes a read gave, 0 meaning the end of the body.
 * Returns FALSE when that ended the run, or this attempt. */
static gboolean
consume_read (ConfabChatStream *self,
              gssize            len)
{
  GError *parse_error = NULL;

  if (len == 0)
    {
      if (!confab_stream_parser_finish (self->parser, &parse_error))
        {
          fail_or_retry (self, parse_error, FALSE, -1);
          return FALSE;
        }
      confab_set_str (&self->finish_reason,
                      confab_stream_parser_get_finish_reason (self->parser));
      finish_run (self, NULL);
      return FALSE;
    }

  if (!confab_stream_parser_feed (self->parser, (const char *)self->read_buffer, len,
                                  &parse_error))
    {
      g_autofree char *redacted = confab_http_redact (parse_error->message,
                                                       self->context->api_key);
      g_free (parse_error->message);
      parse_error->message = g_steal_pointer (&redacted);
      /* Body bytes have arrived: retrying now could repeat what the
       * provider already did (and billed) for this request. */
      fail_or_retry (self, parse_error, FALSE, -1);
      return FALSE;
    }

  self->last_activity = g_get_monotonic_time ();
  return TRUE;
}

static void
on_read (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  ConfabChatStream *self = user_data;
  g_autoptr(GError) error = NULL;
  gssize len;

  len = g_input_stream_read_finish (G_INPUT_STREAM (source), result, &error);
  if (len < 0)
    {
      fail_transport (self, error);
      return;
    }

  if (consume_read (self, len))
    read_more (self);
}

/* libsoup hands out a chunked body one chunk per read, and providers send
 * one event per chunk, so an asynchronous read per chunk cost a round of
 * the main loop per event. What is already buffered is read at once
 * instead, up to READ_BURST_SIZE so that timers, Ctrl+C and redraws still
 * get their turn. Returns FALSE when that ended the run, or this attempt. */
static gboolean
read_buffered (ConfabChatStream *self)
{
  GPollableInputStream *pollable;
  gsize burst = 0;

  if (!G_IS_POLLABLE_INPUT_STREAM (self->body) ||
      !g_pollable_input_stream_can_poll (G_POLLABLE_INPUT_STREAM (self->body)))
    return TRUE;

  pollable = G_POLLABLE_INPUT_STREAM (self->body);
  while (burst < READ_BURST_SIZE)
    {
      g_autoptr(GError) error = NULL;
      gssize len;

      len = g_pollable_input_stream_read_nonblocking (pollable, self->read_buffer, READ_SIZE,
                                                      self->attempt_cancellable, &error);
      if (len < 0 && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
        return TRUE;
      if (len < 0)
        {
          fail_transport (self, error);
          return FALSE;
        }
      if (!consume_read (self, len))
        return FALSE;
      burst += len;
    }

  return TRUE;
}

static void
read_more (ConfabChatStream *self)
{
  if (self->read_buffer == NULL)
    self->read_buffer = g_malloc (READ_SIZE);
  if (!read_buffered (self))
    return;
  g_input_stream_read_async (self->body, self->read_buffer, READ_SIZE, G_PRIORITY_DEFAULT,
                             self->attempt_cancellable, on_read, self);
}

/* Error responses */

static gboolean
server_forbids_retry (SoupMessage *message)
{
  const char *value = soup_message_headers_get_one (soup_message_get_response_headers (message),
                                                    "x-should-retry");
  return g_strcmp0 (value, "false") == 0;
}

static void
on_error_body (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  ConfabChatStream *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = confab_http_read_body_finish (result, &error);
  SoupMessageHeaders *headers;
  GError *mapped;
  gint64 retry_after_ms;
  gboolean retryable;
  g_autofree char *redacted = NULL;

  if (body == NULL && (user_cancelled (self) || self->timed_out))
    {
      fail_transport (self, error);
      return;
    }

  headers = soup_message_get_response_headers (self->message);
  retry_after_ms = confab_http_retry_after_ms (headers);
  mapped = confab_provider_parse_error (self->provider, self->status, body, &retry_after_ms);

  redacted = confab_http_redact (mapped->message, self->context->api_key);
  g_free (mapped->message);
  mapped->message = g_steal_pointer (&redacted);

  retryable = confab_http_status_is_retryable (self->status) &&
              mapped->code != CONFAB_ERROR_QUOTA &&
              !server_forbids_retry (self->message);
  fail_or_retry (self, mapped, retryable, retry_after_ms);
}

static GError *
redirect_error (ConfabChatStream *self)
{
  const char *location = soup_message_headers_get_one (
      soup_message_get_response_headers (self->message), "Location");
  g_autoptr(GUri) target = location ? g_uri_parse_relative (soup_message_get_uri (self->message),
                                                            location, G_URI_FLAGS_NONE, NULL)
                                    : NULL;
  const char *host = target ? g_uri_get_host (target) : NULL;

  return g_error_new (CONFAB_ERROR, CONFAB_ERROR_PROTOCOL,
                      _("The provider redirected the request to %s (HTTP %u). Confab does not "
                        "follow redirects for API calls, so the key cannot reach another host; "
                        "check the account’s base URL."),
                      host ? host : _("another address"), self->status);
}

static void
on_sent (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  ConfabChatStream *self = user_data;
  g_autoptr(GError) error = NULL;
  GInputStream *body;

  body = soup_session_send_finish (SOUP_SESSION (source), result, &error);
  if (body == NULL)
    {
      fail_transport (self, error);
      return;
    }
  self->body = body;
  self->status = soup_message_get_status (self->message);

  if (SOUP_STATUS_IS_REDIRECTION (self->status))
    {
      fail_or_retry (self, redirect_error (self), FALSE, -1);
      return;
    }

  if (!SOUP_STATUS_IS_SUCCESSFUL (self->status))
    {
      confab_http_read_body_async (self->body, MAX_ERROR_BODY, self->attempt_cancellable,
                                   on_error_body, self);
      return;
    }

  self->parser = confab_provider_create_stream_parser (self->provider);
  confab_stream_parser_set_delta_func (self->parser, on_delta, self);
  arm_timer (self, PHASE_BODY);
  read_more (self);
}

static void
on_network_event (SoupMessage        *message,
                  GSocketClientEvent  event,
                  GIOStream          *connection,
                  gpointer            user_data)
{
  ConfabChatStream *self = user_data;

  if (event == G_SOCKET_CLIENT_COMPLETE && self->phase == PHASE_CONNECT)
    arm_timer (self, PHASE_FIRST_BYTE);
}

static void
on_wrote_headers (SoupMessage *message,
                  gpointer     user_data)
{
  ConfabChatStream *self = user_data;

  /* A reused connection never reports a network event. */
  if (self->phase == PHASE_CONNECT)
    arm_timer (self, PHASE_FIRST_BYTE);
}

static void
start_attempt (ConfabChatStream *self)
{
  GError *error = NULL;

  self->message = confab_provider_create_chat_message (self->provider, self->account,
                                                       self->context->api_key,
                                                       self->request, &error);
  if (self->message == NULL)
    {
      finish_run (self, error);
      return;
    }

  self->attempt_cancellable = g_cancellable_new ();
  g_signal_connect (self->message, "network-event", G_CALLBACK (on_network_event), self);
  g_signal_connect (self->message, "wrote-headers", G_CALLBACK (on_wrote_headers), self);
  arm_timer (self, PHASE_CONNECT);

  soup_session_send_async (self->context->session, self->message, G_PRIORITY_DEFAULT,
                           self->attempt_cancellable, on_sent, self);
}

static gboolean
on_cancelled_idle (gpointer user_data)
{
  ConfabChatStream *self = user_data;

  if (self->task != NULL)
    finish_run (self, cancelled_error ());
  return G_SOURCE_REMOVE;
}

/* Runs inside g_cancellable_cancel(), where the handler cannot be
 * disconnected, so ending the run waits for an idle. */
static void
on_cancelled (GCancellable *cancellable,
              gpointer      user_data)
{
  ConfabChatStream *self = user_data;

  if (self->attempt_cancellable != NULL)
    g_cancellable_cancel (self->attempt_cancellable);

  /* Waiting between attempts: nothing in flight reports the
   * cancellation, so report it here. */
  if (self->retry_id != 0)
    {
      g_clear_handle_id (&self->retry_id, g_source_remove);
      g_idle_add_full (G_PRIORITY_DEFAULT, on_cancelled_idle, g_object_ref (self), g_object_unref);
    }
}

static void
on_context (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  ConfabChatStream *self = user_data;
  GError *error = NULL;

  self->context = confab_http_context_new_finish (result, &error);
  if (self->context == NULL)
    {
      finish_run (self, error);
      return;
    }

  start_attempt (self);
}

void
confab_chat_stream_run_async (ConfabChatStream    *self,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_return_if_fail (CONFAB_IS_CHAT_STREAM (self));
  g_return_if_fail (!self->running);

  self->task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (self->task, confab_chat_stream_run_async);
  g_task_set_check_cancellable (self->task, FALSE);
  self->running = TRUE;
  self->start_time = g_get_monotonic_time ();
  self->attempt = 0;

  if (cancellable != NULL)
    self->cancelled_id = g_cancellable_connect (cancellable, G_CALLBACK (on_cancelled),
                                                self, NULL);

  confab_http_context_new_async (self->account, cancellable, on_context, self);
}

gboolean
confab_chat_stream_run_finish (ConfabChatStream  *self,
                               GAsyncResult      *result,
                               GError           **error)
{
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (CONFAB_IS_CHAT_STREAM (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  if (g_task_propagate_boolean (G_TASK (result), &local_error))
    return TRUE;

  if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_set_error_literal (error, CONFAB_ERROR, CONFAB_ERROR_CANCELLED, _("Cancelled"));
  else
    g_propagate_error (error, g_steal_pointer (&local_error));
  return FALSE;
}

ConfabAccount *
confab_chat_stream_get_account (ConfabChatStream *self)
{
  g_return_val_if_fail (CONFAB_IS_CHAT_STREAM (self), NULL);
  return self->account;
}

ConfabChatRequest *
confab_chat_stream_get_request (ConfabChatStream *self)
{
  g_return_val_if_fail (CONFAB_IS_CHAT_STREAM (self), NULL);
  return self->request;
}

/* Zero disables a timer. */
void
confab_chat_stream_set_timeouts (ConfabChatStream *self,
                                 guint             connect_ms,
                                 guint             first_byte_ms,
                                 guint             stall_ms)
{
  g_return_if_fail (CONFAB_IS_CHAT_STREAM (self));

  self->connect_timeout_ms = connect_ms;
  self->first_byte_timeout_ms = first_byte_ms;
  self->stall_timeout_ms = stall_ms;
}

void
confab_chat_stream_set_max_retries (ConfabChatStream *self,
                                    guint             max_retries)
{
  g_return_if_fail (CONFAB_IS_CHAT_STREAM (self));
  self->max_retries = max_retries;
}

gboolean
confab_chat_stream_get_has_streamed (ConfabChatStream *self)
{
  g_return_val_if_fail (CONFAB_IS_CHAT_STREAM (self), FALSE);
  return self->has_streamed;
}

guint
confab_chat_stream_get_status (ConfabChatStream *self)
{
  g_return_val_if_fail (CONFAB_IS_CHAT_STREAM (self), 0);
  return self->status;
}

const char *
confab_chat_stream_get_finish_reason (ConfabChatStream *self)
{
  g_return_val_if_fail (CONFAB_IS_CHAT_STREAM (self), NULL);
  return self->finish_reason;
}

gint64
confab_chat_stream_get_input_tokens (ConfabChatStream *self)
{
  g_return_val_if_fail (CONFAB_IS_CHAT_STREAM (self), -1);
  return self->input_tokens;
}

gint64
confab_chat_stream_get_output_tokens (ConfabChatStream *self)
{
  g_return_val_if_fail (CONFAB_IS_CHAT_STREAM (self), -1);
  return self->output_tokens;
}

gint64
confab_chat_stream_get_ttft (ConfabChatStream *self)
{
  g_return_val_if_fail (CONFAB_IS_CHAT_STREAM (self), -1);
  return self->ttft;
}

gint64
confab_chat_stream_get_duration (ConfabChatStream *self)
{
  g_return_val_if_fail (CONFAB_IS_CHAT_STREAM (self), -1);
  return self->duration;
}
