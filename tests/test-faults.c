/* test-faults.c: confab-cli and ConfabChatStream against servers that fail
 *
 * A small server of our own (a thread with a GThreadedSocketService, raw
 * HTTP/1.1, optionally TLS) serves a canned OpenAI stream and misbehaves
 * on request: it cuts the connection at a chosen byte of the body, never
 * answers, sends a byte a second, sends invalid UTF-8, one 10 MB line or
 * JSON nested 100,000 deep. The mock provider serves the 100 MB reply.
 * Also: TLS with a self-signed certificate (refused, then trusted through
 * an account's ca-file), a locked keyring, and a history folder that is
 * read-only or full. Each case must end with a clear error, no crash, no
 * hang, and nothing that was already saved lost.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/capability.h>

#include "confab-chat-stream.h"
#include "confab-history-store.h"
#include "confab-keyring.h"
#include "confab-test-env.h"

#define REPLY "Confab 测试：the quick brown fox jumps over the lazy dog 🦊 — then cut anywhere."

/* The fault server */

typedef enum
{
  SERVE_BODY,
  SERVE_HANG,
  SERVE_TRICKLE,
} ServeMode;

typedef struct
{
  GThread         *thread;
  GMainContext    *context;
  GMainLoop       *loop;
  GSocketService  *service;
  GCancellable    *stop;
  char            *url;
  GMutex           mutex;
  GCond            cond;
  guint16          port;

  /* What to do; set before a client connects. */
  ServeMode        mode;
  guint            status;
  const char      *content_type;
  GBytes          *body;
  gssize           cut_at;
  GTlsCertificate *certificate;

  /* What happened; under the mutex. */
  guint            n_requests;
  guint            n_handshakes_failed;
  guint            n_active;
} FaultServer;

static gboolean
read_request (GInputStream *in,
              GCancellable *stop)
{
  g_autoptr(GString) head = g_string_new (NULL);
  const char *length;
  gsize body_len = 0;
  char c;

  while (!g_str_has_suffix (head->str, "\r\n\r\n"))
    {
      if (g_input_stream_read (in, &c, 1, stop, NULL) != 1)
        return FALSE;
      g_string_append_c (head, c);
    }

  length = strstr (head->str, "Content-Length: ");
  if (length == NULL)
    length = strstr (head->str, "content-length: ");
  if (length != NULL)
    body_len = g_ascii_strtoull (length + strlen ("Content-Length: "), NULL, 10);
  while (body_len-- > 0)
    if (g_input_stream_read (in, &c, 1, stop, NULL) != 1)
      return FALSE;
  return TRUE;
}

static gboolean
write_str (GOutputStream *out,
           const char    *data,
           gsize          len,
           GCancellable  *stop)
{
  return g_output_stream_write_all (out, data, len, NULL, stop, NULL);
}

/* The body in HTTP chunks of 37 bytes; with cut_at ≥ 0, the connection
 * closes after that many body bytes, in the middle of a chunk if so. */
static void
serve_body (FaultServer   *server,
            GOutputStream *out)
{
  gsize len;
  const char *data = g_bytes_get_data (server->body, &len);
  g_autofree char *head = g_strdup_printf ("HTTP/1.1 %u Whatever\r\nContent-Type: %s\r\n"
                                           "Transfer-Encoding: chunked\r\n\r\n",
                                           server->status, server->content_type);

  if (!write_str (out, head, strlen (head), server->stop))
    return;

  for (gsize offset = 0; offset < len; offset += 37)
    {
      gsize piece = MIN (37, len - offset);
      g_autofree char *size = g_strdup_printf ("%" G_GSIZE_MODIFIER "x\r\n", piece);

      if (!write_str (out, size, strlen (size), server->stop))
        return;
      if (server->cut_at >= 0 && offset + piece > (gsize)server->cut_at)
        {
          write_str (out, data + offset, server->cut_at - offset, server->stop);
          return;
        }
      if (!write_str (out, data + offset, piece, server->stop) ||
          !write_str (out, "\r\n", 2, server->stop))
        return;
    }
  write_str (out, "0\r\n\r\n", 5, server->stop);
}

/* Headers at once, then the body one byte a second. */
static void
serve_trickle (FaultServer   *server,
               GOutputStream *out)
{
  static const char head[] = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
                             "Transfer-Encoding: chunked\r\n\r\n";
  gsize len;
  const char *data = g_bytes_get_data (server->body, &len);

  if (!write_str (out, head, strlen (head), server->stop))
    return;
  for (gsize i = 0; i < len && !g_cancellable_is_cancelled (server->stop); i++)
    {
      g_autofree char *chunk = g_strdup_printf ("1\r\n%c\r\n", data[i]);

      if (!write_str (out, chunk, strlen (chunk), server->stop))
        return;
      for (guint tick = 0; tick < 20 && !g_cancellable_is_cancelled (server->stop); tick++)
        g_usleep (G_USEC_PER_SEC / 20);
    }
}

static void serve (FaultServer       *server,
                   GSocketConnection *connection);

/* Counted, so that the server outlives the connections it serves. */
static gboolean
on_run (GThreadedSocketService *service,
        GSocketConnection      *connection,
        GObject                *source,
        FaultServer            *server)
{
  g_mutex_lock (&server->mutex);
  server->n_active++;
  g_mutex_unlock (&server->mutex);

  serve (server, connection);

  g_mutex_lock (&server->mutex);
  server->n_active--;
  g_cond_broadcast (&server->cond);
  g_mutex_unlock (&server->mutex);
  return TRUE;
}

static void
serve (FaultServer       *server,
       GSocketConnection *connection)
{
  g_autoptr(GIOStream) stream = g_object_ref (G_IO_STREAM (connection));
  GInputStream *in;
  GOutputStream *out;
  char c;

  if (server->certificate != NULL)
    {
      g_autoptr(GIOStream) tls = g_tls_server_connection_new (stream, server->certificate, NULL);

      if (tls == NULL || !g_tls_connection_handshake (G_TLS_CONNECTION (tls), server->stop, NULL))
        {
          g_mutex_lock (&server->mutex);
          server->n_handshakes_failed++;
          g_cond_broadcast (&server->cond);
          g_mutex_unlock (&server->mutex);
          return;
        }
      g_set_object (&stream, tls);
    }
  in = g_io_stream_get_input_stream (stream);
  out = g_io_stream_get_output_stream (stream);

  if (!read_request (in, server->stop))
    return;
  g_mutex_lock (&server->mutex);
  server->n_requests++;
  g_mutex_unlock (&server->mutex);

  switch (server->mode)
    {
    case SERVE_HANG:
      /* Until the client gives up and closes. */
      while (g_input_stream_read (in, &c, 1, server->stop, NULL) > 0)
        ;
      break;
    case SERVE_TRICKLE:
      serve_trickle (server, out);
      break;
    case SERVE_BODY:
    default:
      serve_body (server, out);
      break;
    }
  g_io_stream_close (stream, NULL, NULL);
}

static gpointer
server_thread (gpointer user_data)
{
  FaultServer *server = user_data;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GError) error = NULL;

  g_main_context_push_thread_default (server->context);
  server->service = g_threaded_socket_service_new (16);
  g_socket_listener_add_address (G_SOCKET_LISTENER (server->service), address,
                                 G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL, &bound, &error);
  g_assert_no_error (error);
  g_signal_connect (server->service, "run", G_CALLBACK (on_run), server);
  g_socket_service_start (server->service);

  g_mutex_lock (&server->mutex);
  server->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  g_cond_broadcast (&server->cond);
  g_mutex_unlock (&server->mutex);

  g_main_loop_run (server->loop);

  g_socket_service_stop (server->service);
  g_socket_listener_close (G_SOCKET_LISTENER (server->service));
  g_main_context_pop_thread_default (server->context);
  return NULL;
}

static FaultServer *
fault_server_new (ServeMode    mode,
                  const char  *content_type,
                  GBytes      *body)
{
  FaultServer *server = g_new0 (FaultServer, 1);

  g_mutex_init (&server->mutex);
  g_cond_init (&server->cond);
  server->mode = mode;
  server->status = 200;
  server->content_type = content_type;
  server->body = body ? g_bytes_ref (body) : g_bytes_new_static ("", 0);
  server->cut_at = -1;
  server->stop = g_cancellable_new ();
  server->context = g_main_context_new ();
  server->loop = g_main_loop_new (server->context, FALSE);
  server->thread = g_thread_new ("fault-server", server_thread, server);

  g_mutex_lock (&server->mutex);
  while (server->port == 0)
    g_cond_wait (&server->cond, &server->mutex);
  g_mutex_unlock (&server->mutex);
  server->url = g_strdup_printf ("http://127.0.0.1:%u", server->port);
  return server;
}

static gboolean
quit_loop (gpointer user_data)
{
  g_main_loop_quit (user_data);
  return G_SOURCE_REMOVE;
}

static void
fault_server_free (FaultServer *server)
{
  g_cancellable_cancel (server->stop);
  g_main_context_invoke (server->context, quit_loop, server->loop);
  g_thread_join (server->thread);
  g_mutex_lock (&server->mutex);
  while (server->n_active > 0)
    g_cond_wait (&server->cond, &server->mutex);
  g_mutex_unlock (&server->mutex);
  /* The service's workers finish their connections before it goes. */
  g_clear_object (&server->service);
  g_main_loop_unref (server->loop);
  g_main_context_unref (server->context);
  g_clear_object (&server->stop);
  g_clear_object (&server->certificate);
  g_bytes_unref (server->body);
  g_free (server->url);
  g_mutex_clear (&server->mutex);
  g_cond_clear (&server->cond);
  g_free (server);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FaultServer, fault_server_free)

static guint
fault_server_get_n_requests (FaultServer *server)
{
  guint n;

  g_mutex_lock (&server->mutex);
  n = server->n_requests;
  g_mutex_unlock (&server->mutex);
  return n;
}

/* Bodies */

static void
append_chunk (GString    *body,
              const char *content)
{
  g_string_append (body, "data: {\"id\":\"chatcmpl-f\",\"object\":\"chat.completion.chunk\","
                         "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"");
  g_string_append (body, content);
  g_string_append (body, "\"},\"finish_reason\":null}]}\n\n");
}

static void
append_finish (GString *body)
{
  g_string_append (body, "data: {\"id\":\"chatcmpl-f\",\"object\":\"chat.completion.chunk\","
                         "\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n"
                         "data: [DONE]\n\n");
}

/* REPLY in pieces of four characters, as an OpenAI stream. */
static GBytes *
make_reply_stream (gsize *done_end)
{
  GString *body = g_string_new (NULL);
  const char *p = REPLY;

  while (*p != '\0')
    {
      const char *end = p;

      for (guint i = 0; i < 4 && *end != '\0'; i++)
        end = g_utf8_next_char (end);
      {
        g_autofree char *piece = g_strndup (p, end - p);
        append_chunk (body, piece);
      }
      p = end;
    }
  append_finish (body);
  *done_end = body->len;
  return g_string_free_to_bytes (body);
}

static GBytes *
make_single_chunk_stream (const char *content)
{
  GString *body = g_string_new (NULL);

  append_chunk (body, content);
  append_finish (body);
  return g_string_free_to_bytes (body);
}

/* confab-cli */

static void
add_account (ConfabTestEnv *env,
             const char    *name,
             const char    *provider,
             const char    *base_url)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  const char *args[] = { "accounts", "add", name, "--provider", provider, "--base-url", base_url,
                         "--model", "faulty", "--key-stdin", NULL };
  int status;

  out = confab_test_env_run_cliv (env, CONFAB_TEST_KEY "\n", args, &status, &err);
  g_assert_cmpstr (err, ==, "");
  g_assert_cmpint (status, ==, 0);
}

static char *
run_cli (ConfabTestEnv  *env,
         int            *status,
         char          **err,
         ...)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  const char *arg;
  va_list ap;

  va_start (ap, err);
  while ((arg = va_arg (ap, const char *)) != NULL)
    g_ptr_array_add (args, (char *)arg);
  va_end (ap);
  g_ptr_array_add (args, NULL);
  return confab_test_env_run_cliv (env, NULL, (const char * const *)args->pdata, status, err);
}

typedef struct
{
  GString    *text;
  JsonObject *last;
  JsonNode   *last_node;
} Events;

static void
events_clear (Events *events)
{
  g_string_free (events->text, TRUE);
  g_clear_pointer (&events->last_node, json_node_unref);
}

/* The text events joined, and the last event. */
static void
parse_events (const char *out,
              Events     *events)
{
  g_auto(GStrv) lines = g_strsplit (out, "\n", -1);

  events->text = g_string_new (NULL);
  events->last_node = NULL;
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      g_autoptr(GError) error = NULL;
      JsonObject *event;

      if (lines[i][0] == '\0')
        continue;
      json_parser_load_from_data (parser, lines[i], -1, &error);
      g_assert_no_error (error);
      event = json_node_get_object (json_parser_get_root (parser));
      if (g_str_equal (json_object_get_string_member (event, "type"), "text"))
        g_string_append (events->text, json_object_get_string_member (event, "text"));
      g_clear_pointer (&events->last_node, json_node_unref);
      events->last_node = json_node_copy (json_parser_get_root (parser));
    }
  g_assert_nonnull (events->last_node);
  events->last = json_node_get_object (events->last_node);
}

/* Runs confab-cli with its output read as it comes, and its peak memory
 * (ru_maxrss) taken from wait4(), which GSubprocess would not give. */
typedef struct
{
  int      status;
  gsize    out_len;
  GString *out_tail;
  GString *err;
  glong    maxrss_kb;
} Measured;

static void
measured_clear (Measured *measured)
{
  g_string_free (measured->out_tail, TRUE);
  g_string_free (measured->err, TRUE);
}

static gboolean
drain (int      fd,
       GString *keep,
       gsize    keep_max,
       gsize   *total)
{
  char buffer[65536];
  ssize_t n = read (fd, buffer, sizeof buffer);

  if (n <= 0)
    return FALSE;
  if (total != NULL)
    *total += n;
  g_string_append_len (keep, buffer, n);
  if (keep->len > keep_max)
    g_string_erase (keep, 0, keep->len - keep_max);
  return TRUE;
}

static void
run_cli_measured (ConfabTestEnv      *env,
                  const char * const *args,
                  Measured           *measured)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_auto(GStrv) envp = g_get_environ ();
  g_autoptr(GError) error = NULL;
  struct pollfd fds[2];
  struct rusage usage;
  int out_fd, err_fd, wstatus;
  GPid pid;

  g_ptr_array_add (argv, (char *)g_getenv ("CONFAB_CLI"));
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *)args[i]);
  g_ptr_array_add (argv, NULL);
  envp = g_environ_setenv (envp, "XDG_DATA_DIRS", "/usr/local/share:/usr/share", TRUE);

  g_spawn_async_with_pipes (NULL, (char **)argv->pdata, envp, G_SPAWN_DO_NOT_REAP_CHILD,
                            NULL, NULL, &pid, NULL, &out_fd, &err_fd, &error);
  g_assert_no_error (error);

  measured->out_tail = g_string_new (NULL);
  measured->err = g_string_new (NULL);
  measured->out_len = 0;
  fds[0] = (struct pollfd) { out_fd, POLLIN, 0 };
  fds[1] = (struct pollfd) { err_fd, POLLIN, 0 };
  while (fds[0].fd >= 0 || fds[1].fd >= 0)
    {
      g_assert_cmpint (poll (fds, 2, 120000), >, 0);
      if (fds[0].revents && !drain (out_fd, measured->out_tail, 4096, &measured->out_len))
        fds[0].fd = -1;
      if (fds[1].revents && !drain (err_fd, measured->err, 65536, NULL))
        fds[1].fd = -1;
    }
  close (out_fd);
  close (err_fd);

  g_assert_cmpint (wait4 (pid, &wstatus, 0, &usage), ==, pid);
  g_spawn_close_pid (pid);
  g_assert_true (WIFEXITED (wstatus));
  measured->status = WEXITSTATUS (wstatus);
  measured->maxrss_kb = usage.ru_maxrss;
}

/* Cut connections */

static void
check_cut_run (ConfabTestEnv *env,
               FaultServer   *server,
               gssize         cut_at)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  Events events;
  int status;

  server->cut_at = cut_at;
  out = run_cli (env, &status, &err, "chat", "--events", "cut me", NULL);
  if (g_test_verbose ())
    g_test_message ("cut at %" G_GSSIZE_FORMAT ": exit %d, %s", cut_at, status, out);
  g_assert_cmpint (status, ==, 4);
  parse_events (out, &events);
  g_assert_true (g_str_has_prefix (REPLY, events.text->str));
  g_assert_cmpstr (json_object_get_string_member (events.last, "type"), ==, "error");
  g_assert_cmpstr (json_object_get_string_member (events.last, "code"), ==, "network");
  g_assert_cmpuint (strlen (json_object_get_string_member (events.last, "message")), >, 10);
  events_clear (&events);
}

/* The partial reply that was shown is the one in the history. */
static void
check_partial_reply_saved (ConfabTestEnv *env,
                           FaultServer   *server)
{
  g_autoptr(ConfabHistoryStore) history = confab_history_store_new (NULL);
  g_autoptr(ConfabConversation) conversation = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  ConfabMessage *reply;
  Events events;
  int status;

  server->cut_at = 700;
  out = run_cli (env, &status, NULL, "chat", "--events", "keep what came", NULL);
  g_assert_cmpint (status, ==, 4);
  parse_events (out, &events);
  g_assert_cmpuint (events.text->len, >, 0);

  conversation = confab_history_store_load (history, json_object_get_string_member (events.last,
                                                                                     "conversation"),
                                            NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (conversation)), ==, 2);
  g_assert_cmpstr (confab_message_get_text (confab_conversation_get_message (conversation, 0)), ==,
                   "keep what came");
  reply = confab_conversation_get_message (conversation, 1);
  g_assert_cmpstr (confab_message_get_text (reply), ==, events.text->str);
  g_assert_true (confab_message_get_state (reply) == CONFAB_MESSAGE_INTERRUPTED ||
                 confab_message_get_state (reply) == CONFAB_MESSAGE_FAILED);
  events_clear (&events);
}

static void
test_cut_cli (void)
{
  g_autoptr(ConfabTestEnv) env = confab_test_env_new (CONFAB_TEST_ENV_NONE);
  gsize done_end;
  g_autoptr(GBytes) body = make_reply_stream (&done_end);
  g_autoptr(FaultServer) server = fault_server_new (SERVE_BODY, "text/event-stream", body);
  g_autofree char *base = g_strconcat (server->url, "/v1", NULL);
  guint n_cuts = 0;

  add_account (env, "Faulty", "custom", base);

  /* Everywhere up to the end of [DONE]: inside headers of chunks, inside
   * UTF-8 characters, on event boundaries, between "data:" and JSON. */
  for (gsize cut = 0; cut < done_end; cut += (cut < 64 || done_end - cut < 64) ? 1 : 13)
    {
      check_cut_run (env, server, cut);
      n_cuts++;
    }
  g_test_message ("%u cuts, all reported as network errors", n_cuts);
  g_assert_cmpuint (n_cuts, >, 100);

  check_partial_reply_saved (env, server);

  /* The whole body, then the connection closes cleanly: a success. */
  {
    g_autofree char *out = NULL;
    int status;

    server->cut_at = -1;
    out = run_cli (env, &status, NULL, "chat", "whole", NULL);
    g_assert_cmpint (status, ==, 0);
    g_assert_cmpstr (out, ==, REPLY "\n");
  }
}

typedef struct
{
  GString  *text;
  gboolean  done;
  gboolean  ok;
  GError   *error;
} Run;

static void
on_stream_text (ConfabChatStream *stream,
                const char       *text,
                Run              *run)
{
  g_string_append (run->text, text);
}

static void
on_stream_done (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  Run *run = user_data;

  run->ok = confab_chat_stream_run_finish (CONFAB_CHAT_STREAM (source), result, &run->error);
  run->done = TRUE;
}

static ConfabAccount *
make_account (const char *base_url)
{
  ConfabAccount *account = confab_account_new (NULL, "Faulty", "custom");
  g_autoptr(GError) error = NULL;

  confab_account_set_base_url (account, base_url);
  confab_keyring_store_sync (confab_account_get_id (account), CONFAB_SECRET_API_KEY, "Faulty",
                             CONFAB_TEST_KEY, NULL, &error);
  g_assert_no_error (error);
  return account;
}

/* In process: the partial text stays with the stream's user. */
static void
test_cut_stream (void)
{
  gsize done_end;
  g_autoptr(GBytes) body = make_reply_stream (&done_end);
  g_autoptr(FaultServer) server = fault_server_new (SERVE_BODY, "text/event-stream", body);
  g_autofree char *base = g_strconcat (server->url, "/v1", NULL);
  g_autoptr(ConfabAccount) account = make_account (base);
  g_autoptr(ConfabProvider) provider = confab_provider_new_for_account (account, NULL);

  for (gsize cut = 0; cut < done_end; cut += 29)
    {
      g_autoptr(ConfabChatRequest) request = confab_chat_request_new ("faulty");
      g_autoptr(ConfabChatStream) stream = NULL;
      Run run = { g_string_new (NULL), FALSE, FALSE, NULL };

      server->cut_at = cut;
      confab_chat_request_add_message (request, CONFAB_ROLE_USER, "cut me");
      stream = confab_chat_stream_new (account, provider, request);
      confab_chat_stream_set_timeouts (stream, 5000, 5000, 5000);
      g_signal_connect (stream, "text", G_CALLBACK (on_stream_text), &run);
      confab_chat_stream_run_async (stream, NULL, on_stream_done, &run);
      confab_test_wait_for (&run.done);

      g_assert_false (run.ok);
      g_assert_error (run.error, CONFAB_ERROR, CONFAB_ERROR_NETWORK);
      g_assert_true (g_str_has_prefix (REPLY, run.text->str));
      g_assert_cmpint (confab_chat_stream_get_has_streamed (stream), ==, run.text->len > 0);
      /* A reply that had begun is never retried: no text twice. */
      g_assert_cmpuint (fault_server_get_n_requests (server), >=, 1);
      g_string_free (run.text, TRUE);
      g_clear_error (&run.error);
    }
}

/* Timeouts */

static void
test_first_byte_timeout (void)
{
  g_autoptr(ConfabTestEnv) env = confab_test_env_new (CONFAB_TEST_ENV_NONE);
  g_autoptr(FaultServer) server = fault_server_new (SERVE_HANG, NULL, NULL);
  g_autofree char *base = g_strconcat (server->url, "/v1", NULL);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  gint64 start;
  int status;

  add_account (env, "Faulty", "custom", base);
  env->cli_env = g_strsplit ("CONFAB_FIRST_BYTE_TIMEOUT=0.5", ";", -1);
  start = g_get_monotonic_time ();
  out = run_cli (env, &status, &err, "chat", "anyone there?", NULL);

  g_assert_cmpint (status, ==, 4);
  g_assert_true (g_str_has_prefix (err, "confab-cli: "));
  g_assert_nonnull (strstr (err, "did not answer"));
  g_assert_cmpstr (out, ==, "");
  /* Three attempts of half a second, with backoff in between. */
  g_assert_cmpuint (fault_server_get_n_requests (server), ==, 3);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 20 * G_USEC_PER_SEC);
}

static void
test_stall_timeout (void)
{
  g_autoptr(ConfabTestEnv) env = confab_test_env_new (CONFAB_TEST_ENV_NONE);
  gsize done_end;
  g_autoptr(GBytes) body = make_reply_stream (&done_end);
  g_autoptr(FaultServer) server = fault_server_new (SERVE_TRICKLE, NULL, body);
  g_autofree char *base = g_strconcat (server->url, "/v1", NULL);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  gint64 start;
  int status;

  add_account (env, "Faulty", "custom", base);
  env->cli_env = g_strsplit ("CONFAB_STALL_TIMEOUT=0.4", ";", -1);
  start = g_get_monotonic_time ();
  out = run_cli (env, &status, &err, "chat", "slowly", NULL);

  g_assert_cmpint (status, ==, 4);
  g_assert_nonnull (strstr (err, "stopped sending"));
  g_assert_cmpuint (fault_server_get_n_requests (server), ==, 1);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 10 * G_USEC_PER_SEC);
}

/* Size */

/* Under AddressSanitizer (build-aux/test with CONFAB_SANITIZE=1) the
 * resident size is mostly ASan's shadow memory and its quarantine of
 * freed blocks: the replies still stream, but memory is not judged. */
static gboolean
measures_memory (void)
{
  return g_getenv ("ASAN_OPTIONS") == NULL;
}

static glong
huge_reply_maxrss (ConfabTestEnv *env,
                   const char    *model,
                   gsize          expected_len)
{
  const char *args[] = { "chat", "--model", model, "go", NULL };
  g_autofree char *last_line = NULL;
  Measured measured;
  glong maxrss;

  run_cli_measured (env, args, &measured);
  g_assert_cmpint (measured.status, ==, 0);
  g_assert_cmpuint (measured.out_len, ==, expected_len);
  /* The last of the mock's numbered 64-byte lines arrived. */
  g_assert_true (g_str_has_suffix (measured.out_tail->str, "0123456\n"));
  last_line = g_strdup_printf ("%010" G_GSIZE_FORMAT " The quick", expected_len / 64 - 1);
  g_assert_nonnull (strstr (measured.out_tail->str, last_line));
  maxrss = measured.maxrss_kb;
  measured_clear (&measured);
  return maxrss;
}

/* confab-cli streams a 100 MB reply in the memory it needs for 20 MB. */
static void
test_huge_reply (void)
{
  g_autoptr(ConfabTestEnv) env = confab_test_env_new (CONFAB_TEST_ENV_MOCK);
  g_autofree char *base = g_strconcat (env->mock_url, "/v1", NULL);
  glong rss_20, rss_100;

  add_account (env, "Mock", "custom", base);
  rss_20 = huge_reply_maxrss (env, "huge-20m", 20 * 1024 * 1024);
  rss_100 = huge_reply_maxrss (env, "huge-100m", 100 * 1024 * 1024);
  g_test_message ("peak RSS: %ld KiB for 20 MiB, %ld KiB for 100 MiB", rss_20, rss_100);

  if (!measures_memory ())
    return;
  g_assert_cmpint (rss_100, <, 200 * 1024);
  g_assert_cmpint (rss_100, <, rss_20 + 16 * 1024);
}

/* Invalid UTF-8 becomes U+FFFD, in SSE and in NDJSON. */
static void
check_invalid_utf8 (const char *provider,
                    const char *path,
                    const char *content_type,
                    const char *body_text)
{
  g_autoptr(ConfabTestEnv) env = confab_test_env_new (CONFAB_TEST_ENV_NONE);
  g_autoptr(GBytes) body = g_bytes_new (body_text, strlen (body_text));
  g_autoptr(FaultServer) server = fault_server_new (SERVE_BODY, content_type, body);
  g_autofree char *base = g_strconcat (server->url, path, NULL);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status;

  add_account (env, provider, provider, base);
  out = run_cli (env, &status, &err, "chat", "--account", provider, "bytes", NULL);
  g_assert_cmpint (status, ==, 0);
  g_assert_true (g_utf8_validate (out, -1, NULL));
  g_assert_cmpstr (out, ==, "ok \xef\xbf\xbd\xef\xbf\xbd bad \xef\xbf\xbd end\n");
}

static void
test_invalid_utf8 (void)
{
  g_autoptr(GString) sse = g_string_new (NULL);

  append_chunk (sse, "ok \xff\xfe bad \xc3 end");
  append_finish (sse);
  check_invalid_utf8 ("custom", "/v1", "text/event-stream", sse->str);
  check_invalid_utf8 ("ollama", "", "application/x-ndjson",
                      "{\"model\":\"m\",\"message\":{\"role\":\"assistant\",\"content\":"
                      "\"ok \xff\xfe bad \xc3 end\"},\"done\":false}\n"
                      "{\"model\":\"m\",\"message\":{\"role\":\"assistant\",\"content\":\"\"},"
                      "\"done\":true,\"done_reason\":\"stop\"}\n");
}

/* One 10 MB line: delivered whole, in bounded memory. */
static void
test_long_line (void)
{
  g_autoptr(ConfabTestEnv) env = confab_test_env_new (CONFAB_TEST_ENV_NONE);
  g_autofree char *content = g_malloc (10 * 1024 * 1024 + 1);
  g_autoptr(GBytes) body = NULL;
  g_autoptr(FaultServer) server = NULL;
  g_autofree char *base = NULL;
  const char *args[] = { "chat", "long", NULL };
  Measured measured;

  memset (content, 'x', 10 * 1024 * 1024);
  content[10 * 1024 * 1024] = '\0';
  body = make_single_chunk_stream (content);
  server = fault_server_new (SERVE_BODY, "text/event-stream", body);
  base = g_strconcat (server->url, "/v1", NULL);
  add_account (env, "Faulty", "custom", base);

  run_cli_measured (env, args, &measured);
  g_test_message ("10 MB line: exit %d, %" G_GSIZE_FORMAT " bytes out, peak RSS %ld KiB",
                  measured.status, measured.out_len, measured.maxrss_kb);
  g_assert_cmpint (measured.status, ==, 0);
  g_assert_cmpuint (measured.out_len, ==, 10 * 1024 * 1024 + 1);
  if (measures_memory ())
    g_assert_cmpint (measured.maxrss_kb, <, 200 * 1024);
  measured_clear (&measured);

  /* The same line never ended: the connection closes after it. */
  server->cut_at = g_bytes_get_size (body) - 200;
  run_cli_measured (env, args, &measured);
  g_assert_cmpint (measured.status, ==, 4);
  g_assert_cmpuint (measured.out_len, ==, 0);
  measured_clear (&measured);
}

/* 100,000 "[": json-glib would recurse until the stack ends. */
static void
check_deep_json (const char *provider,
                 const char *path,
                 guint       http_status,
                 const char *content_type,
                 const char *prefix,
                 const char *suffix,
                 int         expected_exit)
{
  g_autoptr(ConfabTestEnv) env = confab_test_env_new (CONFAB_TEST_ENV_NONE);
  g_autoptr(GString) text = g_string_new (prefix);
  g_autoptr(GBytes) body = NULL;
  g_autoptr(FaultServer) server = NULL;
  g_autofree char *base = NULL;
  g_autofree char *name = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status;

  for (guint i = 0; i < 100000; i++)
    g_string_append_c (text, '[');
  g_string_append (text, suffix);
  body = g_bytes_new (text->str, text->len);
  server = fault_server_new (SERVE_BODY, content_type, body);
  server->status = http_status;
  base = g_strconcat (server->url, path, NULL);
  name = g_strdup_printf ("Deep %s %u", provider, http_status);
  add_account (env, name, provider, base);

  env->cli_env = g_strsplit ("CONFAB_FIRST_BYTE_TIMEOUT=5", ";", -1);
  out = run_cli (env, &status, &err, "chat", "--account", name, "deep", NULL);
  g_assert_cmpint (status, ==, expected_exit);
  g_assert_true (g_str_has_prefix (err, "confab-cli: "));
  g_assert_true (g_utf8_validate (err, -1, NULL));
}

static void
test_deep_json (void)
{
  /* A stream event, an NDJSON line: malformed, exit 5 (protocol). */
  check_deep_json ("custom", "/v1", 200, "text/event-stream", "data: ", "\n\n", 5);
  check_deep_json ("ollama", "", 200, "application/x-ndjson", "", "\n", 5);
  /* An error body: still the 400 it is (bad request, exit 5). */
  check_deep_json ("custom", "/v1", 400, "application/json", "", "", 5);
}

/* TLS */

static void
run_openssl (const char *dir,
             const char *command)
{
  g_autofree char *script = g_strdup_printf ("cd %s && %s", dir, command);
  g_autofree char *quoted = g_shell_quote (script);
  g_autofree char *full = g_strconcat ("sh -c ", quoted, NULL);
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  int wait_status;

  g_spawn_command_line_sync (full, NULL, &err, &wait_status, &error);
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (wait_status, NULL))
    g_error ("%s failed: %s", command, err);
}

/* A CA of our own and a certificate for 127.0.0.1 signed by it, made
 * fresh for each run; and a second, unrelated CA. */
static char *
make_certificates (void)
{
  g_autofree char *dir = g_build_filename (g_get_user_cache_dir (), "tls", NULL);

  g_mkdir_with_parents (dir, 0700);
  run_openssl (dir, "openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=Confab\\ Test\\ CA "
                    "-keyout ca.key -out ca.pem 2>/dev/null");
  run_openssl (dir, "openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=Other\\ CA "
                    "-keyout other.key -out other.pem 2>/dev/null");
  run_openssl (dir, "openssl req -new -newkey rsa:2048 -nodes -subj /CN=127.0.0.1 "
                    "-keyout server.key -out server.csr 2>/dev/null && "
                    "printf \"subjectAltName=IP:127.0.0.1\\n\" > ext.cnf && "
                    "openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial "
                    "-days 2 -extfile ext.cnf -out server.pem 2>/dev/null");
  return g_steal_pointer (&dir);
}

static guint
fault_server_get_n_handshakes_failed (FaultServer *server)
{
  guint n;

  g_mutex_lock (&server->mutex);
  n = server->n_handshakes_failed;
  g_mutex_unlock (&server->mutex);
  return n;
}

static void
check_chat_tls_error (ConfabTestEnv *env,
                      FaultServer   *server)
{
  g_autofree char *out = NULL;
  Events events;
  guint before = fault_server_get_n_requests (server);
  guint refused = fault_server_get_n_handshakes_failed (server);
  int status;

  out = run_cli (env, &status, NULL, "chat", "--events", "secret question", NULL);
  g_assert_cmpint (status, ==, 4);
  parse_events (out, &events);
  g_assert_cmpstr (json_object_get_string_member (events.last, "code"), ==, "tls");
  g_assert_nonnull (strstr (json_object_get_string_member (events.last, "message"),
                            "127.0.0.1"));
  /* The client broke the handshake off: the request, and with it the
   * key, never left. */
  g_assert_cmpuint (fault_server_get_n_handshakes_failed (server), >, refused);
  g_assert_cmpuint (fault_server_get_n_requests (server), ==, before);
  events_clear (&events);
}

static void
die_with_test (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

static void
test_tls (void)
{
  g_autoptr(ConfabTestEnv) env = confab_test_env_new (CONFAB_TEST_ENV_NONE);
  g_autofree char *dir = make_certificates ();
  g_autofree char *cert = g_build_filename (dir, "server.pem", NULL);
  g_autofree char *key = g_build_filename (dir, "server.key", NULL);
  g_autofree char *ca = g_build_filename (dir, "ca.pem", NULL);
  g_autofree char *other = g_build_filename (dir, "other.pem", NULL);
  g_autoptr(GBytes) body = make_single_chunk_stream ("over TLS");
  g_autoptr(FaultServer) server = fault_server_new (SERVE_BODY, "text/event-stream", body);
  g_autoptr(GError) error = NULL;
  g_autofree char *base = g_strdup_printf ("https://127.0.0.1:%u/v1", server->port);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *expected = NULL;
  int status;

  server->certificate = g_tls_certificate_new_from_files (cert, key, &error);
  g_assert_no_error (error);
  add_account (env, "Corp", "custom", base);

  /* Never silently accepted. */
  check_chat_tls_error (env, server);

  /* Trusting another CA does not help. */
  out = run_cli (env, &status, &err, "accounts", "set", "Corp", "--ca-file", other, NULL);
  g_assert_cmpint (status, ==, 0);
  check_chat_tls_error (env, server);

  /* A file that is no certificate is refused, and changes nothing. */
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  out = run_cli (env, &status, &err, "accounts", "set", "Corp", "--ca-file", key, NULL);
  g_assert_cmpint (status, ==, 2);
  g_assert_nonnull (strstr (err, "no PEM certificate"));
  check_chat_tls_error (env, server);

  /* The account's own CA: the same server now works. */
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  out = run_cli (env, &status, &err, "accounts", "set", "Corp", "--ca-file", ca, NULL);
  g_assert_cmpint (status, ==, 0);
  g_clear_pointer (&out, g_free);
  out = run_cli (env, &status, NULL, "chat", "hello", NULL);
  g_assert_cmpint (status, ==, 0);
  g_assert_cmpstr (out, ==, "over TLS\n");

  /* accounts add takes it too, and the JSON file keeps it. */
  g_clear_pointer (&out, g_free);
  {
    const char *args[] = { "accounts", "add", "Corp2", "--provider", "custom", "--base-url", base,
                           "--model", "m", "--ca-file", ca, "--key-stdin", NULL };
    out = confab_test_env_run_cliv (env, CONFAB_TEST_KEY "\n", args, &status, NULL);
    g_assert_cmpint (status, ==, 0);
  }
  g_clear_pointer (&out, g_free);
  out = run_cli (env, &status, NULL, "chat", "--account", "Corp2", "hello", NULL);
  g_assert_cmpint (status, ==, 0);
  g_clear_pointer (&out, g_free);
  out = run_cli (env, &status, NULL, "accounts", "list", "--json", NULL);
  expected = g_strdup_printf ("\"ca_file\" : \"%s\"", ca);
  g_assert_nonnull (strstr (out, expected));

  /* Through an HTTP proxy that wants a password: the tunnel's CONNECT
   * carries it (a request in the clear gets it from confab-http.c). */
  {
    g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
    g_autoptr(GSubprocess) proxy = NULL;
    g_autoptr(GDataInputStream) log = NULL;
    g_autoptr(GError) proxy_error = NULL;
    g_autofree char *line = NULL;
    g_autofree char *proxy_url = NULL;

    /* Its stderr is the test's: it must not outlive a failed test. */
    g_subprocess_launcher_set_child_setup (launcher, die_with_test, NULL, NULL);
    proxy = g_subprocess_launcher_spawn (launcher, &proxy_error, g_getenv ("CONFAB_TEST_PROXY"),
                                         "--kind", "http", "--user", "bob",
                                         "--password", "tls-proxy-pw", NULL);
    g_assert_no_error (proxy_error);
    log = g_data_input_stream_new (g_subprocess_get_stdout_pipe (proxy));
    line = g_data_input_stream_read_line_utf8 (log, NULL, NULL, &proxy_error);
    g_assert_no_error (proxy_error);
    proxy_url = g_strdup_printf ("http://bob:tls-proxy-pw@127.0.0.1:%s", line);
    g_clear_pointer (&out, g_free);
    out = run_cli (env, &status, NULL, "accounts", "set", "Corp", "--proxy", proxy_url, NULL);
    g_assert_cmpint (status, ==, 0);
    g_clear_pointer (&out, g_free);
    out = run_cli (env, &status, NULL, "chat", "--account", "Corp", "hello", NULL);
    g_assert_cmpint (status, ==, 0);
    g_assert_cmpstr (out, ==, "over TLS\n");
    /* libsoup sends the CONNECT without them first, then with them */
    do
      {
        g_clear_pointer (&line, g_free);
        line = g_data_input_stream_read_line_utf8 (log, NULL, NULL, &proxy_error);
        g_assert_nonnull (line);
      }
    while (g_str_equal (line, "AUTH-FAIL "));
    g_assert_cmpstr (line, ==, "AUTH-OK bob");
    g_clear_pointer (&line, g_free);
    line = g_data_input_stream_read_line_utf8 (log, NULL, NULL, &proxy_error);
    g_assert_true (g_str_has_prefix (line, "TUNNEL 127.0.0.1:"));
    g_subprocess_send_signal (proxy, SIGTERM);
    g_subprocess_wait (proxy, NULL, NULL);
  }
}

/* Keyring locked */

static GDBusConnection *
session_bus (void)
{
  g_autoptr(GError) error = NULL;
  GDBusConnection *bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, &error);

  g_assert_no_error (error);
  return bus;
}

/* gnome-keyring asks a prompter to unlock; under Xvfb it would open a
 * window and wait for a password forever. With no display it fails, as
 * it does for a user who dismisses the prompt. */
static void
hide_display_from_prompter (GDBusConnection *bus)
{
  g_autoptr(GVariantBuilder) env = g_variant_builder_new (G_VARIANT_TYPE ("a{ss}"));
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;

  g_variant_builder_add (env, "{ss}", "DISPLAY", "");
  g_variant_builder_add (env, "{ss}", "WAYLAND_DISPLAY", "");
  reply = g_dbus_connection_call_sync (bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", "UpdateActivationEnvironment",
                                       g_variant_new ("(a{ss})", env), NULL,
                                       G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
  g_assert_no_error (error);
}

static void
lock_login_collection (GDBusConnection *bus)
{
  const char *objects[] = { "/org/freedesktop/secrets/collection/login", NULL };
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) locked = NULL;
  g_autoptr(GError) error = NULL;

  reply = g_dbus_connection_call_sync (bus, "org.freedesktop.secrets", "/org/freedesktop/secrets",
                                       "org.freedesktop.Secret.Service", "Lock",
                                       g_variant_new ("(^ao)", objects), NULL,
                                       G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
  g_assert_no_error (error);

  reply = g_dbus_connection_call_sync (bus, "org.freedesktop.secrets", objects[0],
                                       "org.freedesktop.DBus.Properties", "Get",
                                       g_variant_new ("(ss)", "org.freedesktop.Secret.Collection",
                                                      "Locked"),
                                       NULL, G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
  g_assert_no_error (error);
  g_variant_get (reply, "(v)", &locked);
  g_assert_true (g_variant_get_boolean (locked));
}

/* gnome-keyring's own way to unlock without a prompt, so that the
 * tests after this one find the keyring as they expect. */
static void
unlock_login_collection (GDBusConnection *bus)
{
  g_autoptr(GVariant) session = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;
  const char *session_path;
  const char *password = "confab-test-password";

  session = g_dbus_connection_call_sync (bus, "org.freedesktop.secrets", "/org/freedesktop/secrets",
                                         "org.freedesktop.Secret.Service", "OpenSession",
                                         g_variant_new ("(sv)", "plain", g_variant_new_string ("")),
                                         NULL, G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
  g_assert_no_error (error);
  g_variant_get (session, "(v&o)", NULL, &session_path);
  reply = g_dbus_connection_call_sync (
      bus, "org.freedesktop.secrets", "/org/freedesktop/secrets",
      "org.gnome.keyring.InternalUnsupportedGuiltRiddenInterface", "UnlockWithMasterPassword",
      g_variant_new ("(o(oay@ays))", "/org/freedesktop/secrets/collection/login", session_path,
                     NULL,
                     g_variant_new_fixed_array (G_VARIANT_TYPE_BYTE, password, strlen (password), 1),
                     "text/plain"),
      NULL, G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
  if (error != NULL)
    g_test_message ("could not unlock the keyring again: %s", error->message);
}

static void
test_keyring_locked (void)
{
  g_autoptr(ConfabTestEnv) env = confab_test_env_new (CONFAB_TEST_ENV_NONE);
  g_autoptr(GDBusConnection) bus = session_bus ();
  g_autofree char *accounts = g_build_filename (g_get_user_config_dir (), "confab",
                                                "accounts.json", NULL);
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  const char *add[] = { "accounts", "add", "Later", "--provider", "openai", "--key-stdin", NULL };
  int status;

  add_account (env, "Earlier", "custom", "http://127.0.0.1:9/v1");
  g_assert_true (g_file_get_contents (accounts, &before, NULL, NULL));
  hide_display_from_prompter (bus);
  lock_login_collection (bus);

  out = confab_test_env_run_cliv (env, CONFAB_TEST_KEY "\n", add, &status, &err);
  g_assert_cmpint (status, ==, 7);
  g_assert_true (g_str_has_prefix (err, "confab-cli: The keyring is locked."));
  g_assert_null (strstr (err, CONFAB_TEST_KEY));
  g_assert_true (g_file_get_contents (accounts, &after, NULL, NULL));
  g_assert_cmpstr (after, ==, before);

  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  out = run_cli (env, &status, &err, "chat", "anyone?", NULL);
  g_assert_cmpint (status, ==, 7);
  g_assert_nonnull (strstr (err, "locked"));

  unlock_login_collection (bus);
}

/* History read-only or full */

/* Root ignores permission bits; without CAP_DAC_OVERRIDE (dropped from
 * the bounding set, so also after exec) it must obey them. */
static void
drop_dac_override (gpointer user_data)
{
  prctl (PR_CAPBSET_DROP, CAP_DAC_OVERRIDE, 0, 0, 0);
  prctl (PR_CAPBSET_DROP, CAP_DAC_READ_SEARCH, 0, 0, 0);
  prctl (PR_CAPBSET_DROP, CAP_FOWNER, 0, 0, 0);
}

/* A file size limit stands in for a full disk: writes past it fail with
 * EFBIG instead of killing the process. */
static void
limit_file_size (gpointer user_data)
{
  struct rlimit limit = { GPOINTER_TO_SIZE (user_data), GPOINTER_TO_SIZE (user_data) };

  signal (SIGXFSZ, SIG_IGN);
  setrlimit (RLIMIT_FSIZE, &limit);
}

static char *
run_cli_with_setup (ConfabTestEnv        *env,
                    GSpawnChildSetupFunc  setup,
                    gpointer              data,
                    int                  *status,
                    char                **err,
                    const char * const   *args)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  char *out = NULL;

  g_ptr_array_add (argv, (char *)g_getenv ("CONFAB_CLI"));
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *)args[i]);
  g_ptr_array_add (argv, NULL);

  launcher = confab_test_env_new_cli_launcher (env, G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                                    G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_set_child_setup (launcher, setup, data, NULL);
  process = g_subprocess_launcher_spawnv (launcher, (const char * const *)argv->pdata, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &out, err, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (process));
  *status = g_subprocess_get_exit_status (process);
  return out;
}

/* The conversation saved before the fault is still there, whole. */
static void
check_history_kept (const char *id,
                    const char *reply)
{
  g_autoptr(ConfabHistoryStore) history = confab_history_store_new (NULL);
  g_autoptr(ConfabConversation) conversation = NULL;
  g_autoptr(GError) error = NULL;

  conversation = confab_history_store_load (history, id, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (conversation)), ==, 2);
  g_assert_cmpstr (confab_message_get_text (confab_conversation_get_message (conversation, 1)),
                   ==, reply);
}

static char *
chat_once (ConfabTestEnv *env,
           const char    *prompt)
{
  g_autofree char *out = NULL;
  Events events;
  char *id;
  int status;

  out = run_cli (env, &status, NULL, "chat", "--events", "--model", "echo", prompt, NULL);
  g_assert_cmpint (status, ==, 0);
  parse_events (out, &events);
  id = g_strdup (json_object_get_string_member (events.last, "conversation"));
  events_clear (&events);
  return id;
}

static void
set_tree_mode (const char *dir,
               int         dir_mode,
               int         file_mode)
{
  g_autoptr(GDir) listing = g_dir_open (dir, 0, NULL);
  const char *name;

  while (listing != NULL && (name = g_dir_read_name (listing)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_chmod (path, g_file_test (path, G_FILE_TEST_IS_DIR) ? dir_mode : file_mode);
    }
  g_chmod (dir, dir_mode);
}

static void
test_history_read_only (void)
{
  g_autoptr(ConfabTestEnv) env = confab_test_env_new (CONFAB_TEST_ENV_NONE);
  gsize done_end;
  g_autoptr(GBytes) body = make_reply_stream (&done_end);
  g_autoptr(FaultServer) server = fault_server_new (SERVE_BODY, "text/event-stream", body);
  g_autofree char *base = g_strconcat (server->url, "/v1", NULL);
  g_autofree char *dir = g_build_filename (g_get_user_data_dir (), "confab", NULL);
  g_autofree char *id = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  const char *args[] = { "chat", "not saved", NULL };
  int status;

  add_account (env, "Faulty", "custom", base);
  id = chat_once (env, "saved before");

  set_tree_mode (dir, 0500, 0400);
  out = run_cli_with_setup (env, drop_dac_override, NULL, &status, &err, args);
  set_tree_mode (dir, 0700, 0600);

  g_test_message ("read-only history: exit %d, %s", status, err);
  g_assert_cmpint (status, ==, 1);
  g_assert_true (g_str_has_prefix (err, "confab-cli: nothing was sent: "));
  g_assert_cmpstr (out, ==, "");
  /* Nothing saved means nothing sent. */
  g_assert_cmpuint (fault_server_get_n_requests (server), ==, 1);
  check_history_kept (id, REPLY);
}

static void
test_history_full (void)
{
  g_autoptr(ConfabTestEnv) env = confab_test_env_new (CONFAB_TEST_ENV_MOCK);
  g_autofree char *base = g_strconcat (env->mock_url, "/v1", NULL);
  g_autofree char *id = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  const char *chat_args[] = { "chat", "--model", "huge-2m", "too much", NULL };
  const char *prompt_args[] = { "chat", "--model", "echo", "not even this", NULL };
  int status;

  add_account (env, "Mock", "custom", base);
  id = chat_once (env, "saved before");

  /* Full from the start: the prompt cannot be saved, so it is not sent. */
  out = run_cli_with_setup (env, limit_file_size, GSIZE_TO_POINTER (1), &status, &err,
                            prompt_args);
  g_test_message ("history full before sending: exit %d, %s", status, err);
  g_assert_cmpint (status, ==, 1);
  g_assert_true (g_str_has_prefix (err, "confab-cli: nothing was sent: "));
  g_assert_cmpstr (out, ==, "");
  check_history_kept (id, "saved before");

  /* Full while the reply streams: shown anyway, then a clear error. */
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  out = run_cli_with_setup (env, limit_file_size, GSIZE_TO_POINTER (512 * 1024), &status, &err,
                            chat_args);
  g_test_message ("history full while streaming: exit %d, %s", status, err);
  g_assert_cmpint (status, ==, 1);
  g_assert_nonnull (strstr (err, "could not be saved"));
  g_assert_cmpuint (strlen (out), ==, 2 * 1024 * 1024);
  check_history_kept (id, "saved before");

  /* And the history works again once there is room. */
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  out = run_cli (env, &status, &err, "history", "list", NULL);
  g_assert_cmpint (status, ==, 0);
  g_assert_nonnull (strstr (out, "saved before"));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/faults/cut/cli", test_cut_cli);
  g_test_add_func ("/faults/cut/stream", test_cut_stream);
  g_test_add_func ("/faults/timeout/first-byte", test_first_byte_timeout);
  g_test_add_func ("/faults/timeout/stall", test_stall_timeout);
  g_test_add_func ("/faults/huge-reply", test_huge_reply);
  g_test_add_func ("/faults/invalid-utf8", test_invalid_utf8);
  g_test_add_func ("/faults/long-line", test_long_line);
  g_test_add_func ("/faults/deep-json", test_deep_json);
  g_test_add_func ("/faults/tls", test_tls);
  g_test_add_func ("/faults/history/read-only", test_history_read_only);
  g_test_add_func ("/faults/history/full", test_history_full);
  /* Last: it locks the test session's keyring. */
  g_test_add_func ("/faults/keyring/locked", test_keyring_locked);

  return g_test_run ();
}
