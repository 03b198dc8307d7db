/* SPDX-License-Identifier: GPL-3.0-or-later */
/* confab-mock-provider.c: a local stand-in for the LLM provider APIs Confab talks to.
 *
 * One SoupServer speaks five wire protocols, chosen by route: OpenAI-compatible chat completions,
 * Azure OpenAI, Anthropic Messages, Gemini generateContent and Ollama /api/chat. The model (or
 * deployment) name picks a scenario: echo, slow, reasoning, errors, cut or malformed streams… The
 * routes and scenarios are documented in tests/mock-provider.md.
 *
 * A request is one MockExchange. Its generator walks through phases (start, reasoning pieces,
 * text pieces, an optional interruption, finish, end); each phase calls the protocol's encoder,
 * and the transport writes what the encoder produced as one HTTP chunk, paced by timers.
 */

#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>

#include <glib-unix.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#define MOCK_ECHO_PIECE_CHARS    3
#define MOCK_ECHO_INTERVAL_MS    5
#define MOCK_SLOW_INTERVAL_MS    100
#define MOCK_TRICKLE_INTERVAL_MS 1000
#define MOCK_SOME_PIECES         3
#define MOCK_HUGE_PIECE_BYTES    1024
#define MOCK_HUGE_LINE_BYTES     64
#define MOCK_HUGE_DEFAULT_BYTES  (G_GUINT64_CONSTANT (4) * 1024 * 1024)
#define MOCK_HUGE_MAX_BYTES      (G_GUINT64_CONSTANT (1024) * 1024 * 1024)
#define MOCK_SLOW_MAX_MS         60000
#define MOCK_MODELS_EPOCH        G_GINT64_CONSTANT (1735689600) /* 2025-01-01 */
#define MOCK_FINGERPRINT         "fp_mock"
#define MOCK_SIGNATURE           "bW9jay10aGlua2luZy1zaWduYXR1cmU="
#define MOCK_REASONING_TEXT      "Thinking about it… I will echo the last user message back."
#define MOCK_REDACTED            "<redacted>"

/* Not in libsoup 3.2's SoupStatus */
#define MOCK_STATUS_TOO_MANY_REQUESTS 429
#define MOCK_STATUS_OVERLOADED        529

/* Exactly MOCK_HUGE_LINE_BYTES - 12 bytes, so that every huge line is 64 bytes long */
#define MOCK_HUGE_FILLER "The quick brown fox jumps over the lazy dog. 0123456"
G_STATIC_ASSERT (sizeof (MOCK_HUGE_FILLER) - 1 == MOCK_HUGE_LINE_BYTES - 12);
G_STATIC_ASSERT (MOCK_HUGE_PIECE_BYTES % MOCK_HUGE_LINE_BYTES == 0);

/* ------------------------------------------------------------------------------------------ */
/* Types                                                                                      */
/* ------------------------------------------------------------------------------------------ */

typedef enum
{
  MOCK_PROTOCOL_OPENAI    = 1 << 0,
  MOCK_PROTOCOL_AZURE     = 1 << 1,
  MOCK_PROTOCOL_ANTHROPIC = 1 << 2,
  MOCK_PROTOCOL_GEMINI    = 1 << 3,
  MOCK_PROTOCOL_OLLAMA    = 1 << 4,
} MockProtocol;

#define MOCK_OPENAI_LIKE (MOCK_PROTOCOL_OPENAI | MOCK_PROTOCOL_AZURE)
#define MOCK_ALL (MOCK_OPENAI_LIKE | MOCK_PROTOCOL_ANTHROPIC | MOCK_PROTOCOL_GEMINI | MOCK_PROTOCOL_OLLAMA)

typedef enum
{
  MOCK_ERROR_NONE,
  MOCK_ERROR_AUTH_MISSING,
  MOCK_ERROR_AUTH_INVALID,
  MOCK_ERROR_REGION,
  MOCK_ERROR_RATE_LIMIT,
  MOCK_ERROR_FLAKY_RATE_LIMIT,
  MOCK_ERROR_QUOTA,
  MOCK_ERROR_SERVER,
  MOCK_ERROR_FLAKY_SERVER,
  MOCK_ERROR_OVERLOADED,
  MOCK_ERROR_CONTENT_FILTER,
  MOCK_ERROR_NOT_FOUND,         /* detail: the model name */
  MOCK_ERROR_BAD_REQUEST,       /* detail: the message */
  MOCK_ERROR_NO_RESOURCE,       /* Azure without api-version */
  MOCK_ERROR_INBAND,            /* an error inside a 200 response */
} MockError;

typedef enum
{
  MOCK_FLAG_REASONING       = 1 << 0,
  MOCK_FLAG_OPENROUTER      = 1 << 1,
  MOCK_FLAG_SLOW            = 1 << 2,
  MOCK_FLAG_HUGE            = 1 << 3,
  MOCK_FLAG_KEEPALIVE       = 1 << 4,
  MOCK_FLAG_USAGE_IN_CHOICE = 1 << 5,
  MOCK_FLAG_FLAKY           = 1 << 6,
  MOCK_FLAG_INBAND          = 1 << 7,
  MOCK_FLAG_DROP            = 1 << 8,
  MOCK_FLAG_MALFORMED       = 1 << 9,
  MOCK_FLAG_HANG            = 1 << 10,
  MOCK_FLAG_TRICKLE         = 1 << 11,
  MOCK_FLAG_NO_STOP         = 1 << 12,
  MOCK_FLAG_FILTERED        = 1 << 13,
  MOCK_FLAG_OVERLOADED      = 1 << 14,
} MockFlags;

/* Scenarios that stop after "some text" */
#define MOCK_FLAGS_SHORT (MOCK_FLAG_INBAND | MOCK_FLAG_DROP | MOCK_FLAG_MALFORMED | MOCK_FLAG_FILTERED)

typedef struct
{
  const char *name;
  guint       protocols;
  MockError   error;      /* answered instead of a reply (only the first time when flaky) */
  guint       flags;
  guint64     param;      /* default for the -<N> variants: milliseconds or bytes */
} MockScenarioInfo;

typedef enum
{
  MOCK_PHASE_START,
  MOCK_PHASE_REASONING,
  MOCK_PHASE_TEXT,
  MOCK_PHASE_INTERRUPT,
  MOCK_PHASE_FINISH,
  MOCK_PHASE_END,
  MOCK_PHASE_DONE,
  MOCK_PHASE_DROPPED,
} MockPhase;

typedef enum
{
  MOCK_DELTA_REASONING,
  MOCK_DELTA_TEXT,
} MockDelta;

typedef enum
{
  MOCK_ROUTE_NONE,
  MOCK_ROUTE_CHAT,
  MOCK_ROUTE_MODELS,
  MOCK_ROUTE_OLLAMA_VERSION,
} MockRouteKind;

typedef struct
{
  MockRouteKind kind;
  MockProtocol  protocol;
  char         *path_model;   /* Azure deployment or Gemini model, from the URL */
  gboolean      streaming;    /* Gemini: :streamGenerateContent */
} MockRoute;

typedef struct _MockServer MockServer;
typedef struct _MockExchange MockExchange;

typedef struct
{
  const char *name;
  const char *stream_content_type;
  const char *frame_end;
  gboolean    finish_is_terminator;
  gboolean    (*parse)       (MockExchange *self, JsonObject *request, MockError *error, char **detail);
  const char *(*presented_key) (SoupServerMessage *msg);
  void        (*start)       (MockExchange *self, GString *out);
  void        (*delta)       (MockExchange *self, MockDelta kind, const char *piece, GString *out);
  void        (*keepalive)   (MockExchange *self, GString *out);
  void        (*finish)      (MockExchange *self, GString *out);
  void        (*end)         (MockExchange *self, GString *out);
  void        (*error_event) (MockExchange *self, MockError error, GString *out);
  JsonNode   *(*complete)    (MockExchange *self);
  guint       (*error_body)  (MockExchange *self, MockError error, const char *detail, JsonNode **body);
  void        (*list_models) (MockExchange *self, GHashTable *query);
} MockProtocolClass;

struct _MockServer
{
  SoupServer    *soup;
  GMainLoop     *loop;
  char          *key;
  GOutputStream *record;
  GHashTable    *flaky_seen;   /* set of "protocol\nscenario\ntext" */
  GHashTable    *exchanges;    /* set of live MockExchange */
  guint64        serial;
};

struct _MockExchange
{
  /* borrowed references */
  MockServer              *server;
  const MockProtocolClass *klass;
  const MockScenarioInfo  *scenario;

  /* owned references */
  SoupServerMessage *msg;
  GIOStream         *stolen;
  char              *model;
  char              *deployment;
  char              *echo;
  char              *id;
  char              *request_id;
  GString           *reasoning_acc;
  GString           *text_acc;
  GString           *piece;
  GString           *pending;

  /* request */
  MockProtocol protocol;
  guint64      serial;
  guint64      param;
  gint64       created;
  gint64       started_usec;
  guint        input_tokens;
  gboolean     streaming;
  gboolean     include_usage;
  gboolean     show_reasoning;

  /* generator */
  MockPhase    phase;
  const char  *reasoning_cursor;
  const char  *echo_cursor;
  guint64      huge_sent;
  guint        n_reasoning;
  guint        n_text;
  guint        block_index;
  gboolean     block_is_thinking;
  guint        keepalive_count;

  /* transport */
  guint        interval_ms;
  guint        timeout_id;
  gsize        pending_pos;
  gulong       finished_id;
  gulong       wrote_chunk_id;
  gboolean     awaiting_chunk;
  gboolean     head_written;
};

static const MockScenarioInfo scenarios[] = {
  { "echo",                 MOCK_ALL,          MOCK_ERROR_NONE,              0, 0 },
  { "slow",                 MOCK_ALL,          MOCK_ERROR_NONE,              MOCK_FLAG_SLOW, MOCK_SLOW_INTERVAL_MS },
  { "reasoning",            MOCK_ALL,          MOCK_ERROR_NONE,              MOCK_FLAG_REASONING, 0 },
  { "reasoning-openrouter", MOCK_OPENAI_LIKE,  MOCK_ERROR_NONE,              MOCK_FLAG_REASONING | MOCK_FLAG_OPENROUTER, 0 },
  { "error-401",            MOCK_ALL,          MOCK_ERROR_AUTH_INVALID,      0, 0 },
  { "error-403-region",     MOCK_ALL,          MOCK_ERROR_REGION,            0, 0 },
  { "error-429",            MOCK_ALL,          MOCK_ERROR_RATE_LIMIT,        0, 0 },
  { "error-quota",          MOCK_ALL,          MOCK_ERROR_QUOTA,             0, 0 },
  { "error-500",            MOCK_ALL,          MOCK_ERROR_SERVER,            0, 0 },
  { "flaky",                MOCK_ALL,          MOCK_ERROR_FLAKY_RATE_LIMIT,  MOCK_FLAG_FLAKY, 0 },
  { "flaky-500",            MOCK_ALL,          MOCK_ERROR_FLAKY_SERVER,      MOCK_FLAG_FLAKY, 0 },
  { "inband-error",         MOCK_ALL,          MOCK_ERROR_NONE,              MOCK_FLAG_INBAND, 0 },
  { "drop",                 MOCK_ALL,          MOCK_ERROR_NONE,              MOCK_FLAG_DROP, 0 },
  { "malformed",            MOCK_ALL,          MOCK_ERROR_NONE,              MOCK_FLAG_MALFORMED, 0 },
  { "keepalive",            MOCK_OPENAI_LIKE | MOCK_PROTOCOL_ANTHROPIC,
                                               MOCK_ERROR_NONE,              MOCK_FLAG_KEEPALIVE, 0 },
  { "usage-in-choice",      MOCK_OPENAI_LIKE,  MOCK_ERROR_NONE,              MOCK_FLAG_USAGE_IN_CHOICE, 0 },
  { "huge",                 MOCK_ALL,          MOCK_ERROR_NONE,              MOCK_FLAG_HUGE, MOCK_HUGE_DEFAULT_BYTES },
  { "hang",                 MOCK_ALL,          MOCK_ERROR_NONE,              MOCK_FLAG_HANG, 0 },
  { "trickle",              MOCK_ALL,          MOCK_ERROR_NONE,              MOCK_FLAG_TRICKLE, 0 },
  { "no-stop",              MOCK_ALL,          MOCK_ERROR_NONE,              MOCK_FLAG_NO_STOP, 0 },
  { "content-filter",       MOCK_PROTOCOL_AZURE, MOCK_ERROR_CONTENT_FILTER,  0, 0 },
  { "filtered-output",      MOCK_PROTOCOL_AZURE, MOCK_ERROR_NONE,            MOCK_FLAG_FILTERED, 0 },
  { "overloaded",           MOCK_PROTOCOL_ANTHROPIC, MOCK_ERROR_NONE,        MOCK_FLAG_OVERLOADED, 0 },
};

static const MockProtocolClass *protocol_class (MockProtocol protocol);
static void exchange_pump (MockExchange *self);

/* ------------------------------------------------------------------------------------------ */
/* JSON helpers                                                                               */
/* ------------------------------------------------------------------------------------------ */

static JsonNode *
node_take_object (JsonObject *object)
{
  JsonNode *node = json_node_alloc ();

  json_node_init_object (node, object);
  json_object_unref (object);
  return node;
}

static char *
object_to_string (JsonObject *object)
{
  g_autoptr(JsonNode) node = json_node_init_object (json_node_alloc (), object);

  return json_to_string (node, FALSE);
}

static void
object_set_nullable_string (JsonObject *object,
                            const char *name,
                            const char *value)
{
  if (value != NULL)
    json_object_set_string_member (object, name, value);
  else
    json_object_set_null_member (object, name);
}

static JsonNode *
member_node (JsonObject *object,
             const char *name)
{
  if (object == NULL || !json_object_has_member (object, name))
    return NULL;
  return json_object_get_member (object, name);
}

static const char *
member_string (JsonObject *object,
               const char *name)
{
  JsonNode *node = member_node (object, name);

  if (node == NULL || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static JsonObject *
member_object (JsonObject *object,
               const char *name)
{
  JsonNode *node = member_node (object, name);

  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

static JsonArray *
member_array (JsonObject *object,
              const char *name)
{
  JsonNode *node = member_node (object, name);

  return node != NULL && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
}

static gboolean
member_boolean (JsonObject *object,
                const char *name,
                gboolean    fallback)
{
  JsonNode *node = member_node (object, name);

  if (node == NULL || json_node_get_value_type (node) != G_TYPE_BOOLEAN)
    return fallback;
  return json_node_get_boolean (node);
}

static gboolean
member_number (JsonObject *object,
               const char *name,
               double     *value)
{
  JsonNode *node = member_node (object, name);
  GType type = node != NULL ? json_node_get_value_type (node) : G_TYPE_INVALID;

  if (type == G_TYPE_INT64)
    *value = json_node_get_int (node);
  else if (type == G_TYPE_DOUBLE)
    *value = json_node_get_double (node);
  else
    return FALSE;
  return TRUE;
}

/* The text of an OpenAI/Anthropic/Ollama "content" (a string or an array of text parts) or of
 * a Gemini "parts" array. */
static char *
content_text (JsonNode *content)
{
  GString *text = g_string_new (NULL);
  JsonArray *parts;

  if (content != NULL && json_node_get_value_type (content) == G_TYPE_STRING)
    g_string_append (text, json_node_get_string (content));
  else if (content != NULL && JSON_NODE_HOLDS_ARRAY (content))
    {
      parts = json_node_get_array (content);
      for (guint i = 0; i < json_array_get_length (parts); i++)
        {
          JsonNode *part = json_array_get_element (parts, i);
          const char *part_text = NULL;

          if (JSON_NODE_HOLDS_OBJECT (part))
            part_text = member_string (json_node_get_object (part), "text");
          if (part_text != NULL)
            g_string_append (text, part_text);
        }
    }
  return g_string_free (text, FALSE);
}

static guint
count_words (const char *text)
{
  guint words = 0;
  gboolean in_word = FALSE;

  for (const char *p = text; *p != '\0'; p++)
    {
      gboolean space = g_ascii_isspace (*p);

      if (!space && !in_word)
        words++;
      in_word = !space;
    }
  return MAX (words, 1);
}

static char *
timestamp_now (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

  return g_date_time_format_iso8601 (now);
}

static char *
timestamp_from_unix (gint64 seconds)
{
  g_autoptr(GDateTime) time = g_date_time_new_from_unix_utc (seconds);

  return g_date_time_format (time, "%Y-%m-%dT%H:%M:%SZ");
}

/* ------------------------------------------------------------------------------------------ */
/* Scenarios and pieces                                                                       */
/* ------------------------------------------------------------------------------------------ */

static gboolean
parse_size_suffix (const char *text,
                   guint64    *bytes)
{
  gsize len = strlen (text);
  guint64 unit, number;
  g_autofree char *digits = NULL;

  if (len < 2)
    return FALSE;
  if (text[len - 1] == 'k')
    unit = 1024;
  else if (text[len - 1] == 'm')
    unit = 1024 * 1024;
  else
    return FALSE;
  digits = g_strndup (text, len - 1);
  if (!g_ascii_string_to_unsigned (digits, 10, 1, MOCK_HUGE_MAX_BYTES / unit, &number, NULL))
    return FALSE;
  *bytes = number * unit;
  return TRUE;
}

static const MockScenarioInfo *
scenario_find (const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (scenarios); i++)
    if (g_str_equal (scenarios[i].name, name))
      return &scenarios[i];
  return NULL;
}

/* Resolves a model name such as "echo", "slow-20" or "huge-64k" for @protocol */
static const MockScenarioInfo *
scenario_lookup (const char   *name,
                 MockProtocol  protocol,
                 guint64      *param)
{
  const MockScenarioInfo *info = scenario_find (name);

  if (info != NULL)
    *param = info->param;
  else if (g_str_has_prefix (name, "slow-"))
    {
      info = scenario_find ("slow");
      if (!g_ascii_string_to_unsigned (name + 5, 10, 1, MOCK_SLOW_MAX_MS, param, NULL))
        info = NULL;
    }
  else if (g_str_has_prefix (name, "huge-"))
    {
      info = scenario_find ("huge");
      if (!parse_size_suffix (name + 5, param))
        info = NULL;
    }

  if (info == NULL || (info->protocols & protocol) == 0)
    return NULL;
  return info;
}

static GPtrArray *
scenario_names (MockProtocol protocol)
{
  GPtrArray *names = g_ptr_array_new ();

  for (guint i = 0; i < G_N_ELEMENTS (scenarios); i++)
    if (scenarios[i].protocols & protocol)
      g_ptr_array_add (names, (gpointer) scenarios[i].name);
  return names;
}

/* Appends up to @n_chars whole UTF-8 characters */
static const char *
take_chars (const char *cursor,
            guint       n_chars,
            GString    *piece)
{
  const char *p = cursor;

  for (guint i = 0; i < n_chars && *p != '\0'; i++)
    p = g_utf8_next_char (p);
  g_string_append_len (piece, cursor, p - cursor);
  return p;
}

/* Appends one word with the white space around it */
static const char *
take_word (const char *cursor,
           GString    *piece)
{
  const char *p = cursor;

  while (*p != '\0' && g_ascii_isspace (*p))
    p++;
  while (*p != '\0' && !g_ascii_isspace (*p))
    p++;
  while (*p != '\0' && g_ascii_isspace (*p))
    p++;
  g_string_append_len (piece, cursor, p - cursor);
  return p;
}

/* The huge reply is a run of 64-byte lines "0000000042 The quick…\n": any offset of the reply
 * can be produced without keeping what came before. */
static void
huge_piece (guint64  offset,
            guint64  total,
            GString *piece)
{
  while (piece->len < MOCK_HUGE_PIECE_BYTES && offset < total)
    {
      char line[MOCK_HUGE_LINE_BYTES + 1];
      guint64 take = MIN (MOCK_HUGE_LINE_BYTES, total - offset);

      g_snprintf (line, sizeof line, "%010" G_GUINT64_FORMAT " %s\n",
                  offset / MOCK_HUGE_LINE_BYTES, MOCK_HUGE_FILLER);
      g_string_append_len (piece, line, take);
      offset += take;
    }
}

/* ------------------------------------------------------------------------------------------ */
/* Request recording                                                                          */
/* ------------------------------------------------------------------------------------------ */

static char *
redact_header (const char *name,
               const char *value)
{
  const char *space;

  if (g_str_equal (name, "authorization"))
    {
      space = strchr (value, ' ');
      if (space != NULL)
        return g_strdup_printf ("%.*s %s", (int) (space - value), value, MOCK_REDACTED);
      return g_strdup (MOCK_REDACTED);
    }
  if (g_str_equal (name, "x-api-key") || g_str_equal (name, "api-key") ||
      g_str_equal (name, "x-goog-api-key"))
    return g_strdup (MOCK_REDACTED);
  return g_strdup (value);
}

static JsonObject *
record_headers (SoupServerMessage *msg)
{
  JsonObject *headers = json_object_new ();
  SoupMessageHeadersIter iter;
  const char *name, *value;

  soup_message_headers_iter_init (&iter, soup_server_message_get_request_headers (msg));
  while (soup_message_headers_iter_next (&iter, &name, &value))
    {
      g_autofree char *lower = g_ascii_strdown (name, -1);
      g_autofree char *safe = redact_header (lower, value);
      const char *previous = member_string (headers, lower);

      if (previous != NULL)
        {
          g_autofree char *joined = g_strdup_printf ("%s, %s", previous, safe);
          json_object_set_string_member (headers, lower, joined);
        }
      else
        json_object_set_string_member (headers, lower, safe);
    }
  return headers;
}

static JsonObject *
record_query (GHashTable *query)
{
  JsonObject *object = json_object_new ();
  GHashTableIter iter;
  gpointer name, value;

  if (query == NULL)
    return object;
  g_hash_table_iter_init (&iter, query);
  while (g_hash_table_iter_next (&iter, &name, &value))
    json_object_set_string_member (object, name,
                                   g_str_equal (name, "key") ? MOCK_REDACTED : value);
  return object;
}

static JsonNode *
record_body (SoupServerMessage *msg)
{
  g_autoptr(GBytes) bytes = soup_message_body_flatten (soup_server_message_get_request_body (msg));
  g_autoptr(JsonParser) parser = json_parser_new ();
  gsize len = 0;
  const char *data = g_bytes_get_data (bytes, &len);
  g_autofree char *text = NULL;

  if (len == 0)
    return json_node_init_null (json_node_alloc ());
  if (json_parser_load_from_data (parser, data, len, NULL))
    return json_node_copy (json_parser_get_root (parser));
  text = g_utf8_make_valid (data, len);
  return json_node_init_string (json_node_alloc (), text);
}

/* The key never reaches the record, wherever a client may have put it */
static char *
scrub_key (char       *line,
           const char *key)
{
  GString *scrubbed = g_string_new (line);

  g_free (line);
  g_string_replace (scrubbed, key, MOCK_REDACTED, 0);
  return g_string_free (scrubbed, FALSE);
}

static void
mock_server_record (MockServer        *server,
                    SoupServerMessage *msg,
                    const char        *path,
                    GHashTable        *query)
{
  g_autoptr(JsonObject) entry = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  g_autofree char *text = NULL;

  if (server->record == NULL)
    return;
  entry = json_object_new ();
  json_object_set_string_member (entry, "method", soup_server_message_get_method (msg));
  json_object_set_string_member (entry, "path", path);
  json_object_set_object_member (entry, "query", record_query (query));
  json_object_set_object_member (entry, "headers", record_headers (msg));
  json_object_set_member (entry, "body", record_body (msg));
  text = object_to_string (entry);
  line = g_strconcat (text, "\n", NULL);
  if (server->key != NULL && *server->key != '\0')
    line = scrub_key (g_steal_pointer (&line), server->key);
  if (!g_output_stream_write_all (server->record, line, strlen (line), NULL, NULL, &error) ||
      !g_output_stream_flush (server->record, NULL, &error))
    g_printerr ("confab-mock-provider: cannot record request: %s\n", error->message);
}

/* ------------------------------------------------------------------------------------------ */
/* Exchange basics                                                                            */
/* ------------------------------------------------------------------------------------------ */

static gboolean
exchange_has (MockExchange *self,
              guint         flags)
{
  return self->scenario != NULL && (self->scenario->flags & flags) != 0;
}

static guint
exchange_output_tokens (MockExchange *self)
{
  return self->n_reasoning + self->n_text;
}

static const char *
exchange_model (MockExchange *self)
{
  return self->model != NULL ? self->model : "unknown";
}

/* The DeepSeek shape: reasoning_content deltas, usage on the finish chunk */
static gboolean
exchange_is_deepseek (MockExchange *self)
{
  return exchange_has (self, MOCK_FLAG_REASONING) && !exchange_has (self, MOCK_FLAG_OPENROUTER);
}

static const char *
response_id_prefix (MockProtocol protocol)
{
  if (protocol == MOCK_PROTOCOL_ANTHROPIC)
    return "msg_mock";
  if (protocol == MOCK_PROTOCOL_GEMINI)
    return "mockResponse";
  return "chatcmpl-mock";
}

static MockExchange *
mock_exchange_new (MockServer        *server,
                   SoupServerMessage *msg,
                   const MockRoute   *route)
{
  MockExchange *self = g_new0 (MockExchange, 1);

  self->server = server;
  self->msg = g_object_ref (msg);
  self->protocol = route->protocol;
  self->klass = protocol_class (route->protocol);
  self->serial = ++server->serial;
  self->created = g_get_real_time () / G_USEC_PER_SEC;
  self->started_usec = g_get_monotonic_time ();
  self->streaming = route->streaming;
  self->request_id = g_strdup_printf ("req_mock%08" G_GUINT64_FORMAT, self->serial);
  self->reasoning_acc = g_string_new (NULL);
  self->text_acc = g_string_new (NULL);
  self->piece = g_string_new (NULL);
  self->pending = g_string_new (NULL);
  self->reasoning_cursor = MOCK_REASONING_TEXT;
  if (route->protocol == MOCK_PROTOCOL_AZURE)
    self->deployment = g_strdup (route->path_model);
  self->model = g_strdup (route->path_model);
  self->id = g_strdup_printf ("%s%08" G_GUINT64_FORMAT, response_id_prefix (route->protocol), self->serial);
  return self;
}

static void
mock_exchange_free (MockExchange *self)
{
  g_hash_table_remove (self->server->exchanges, self);
  g_clear_handle_id (&self->timeout_id, g_source_remove);
  if (self->msg != NULL)
    {
      g_clear_signal_handler (&self->finished_id, self->msg);
      g_clear_signal_handler (&self->wrote_chunk_id, self->msg);
      g_clear_object (&self->msg);
    }
  if (self->stolen != NULL)
    g_io_stream_close (self->stolen, NULL, NULL);
  g_clear_object (&self->stolen);
  g_free (self->model);
  g_free (self->deployment);
  g_free (self->echo);
  g_free (self->id);
  g_free (self->request_id);
  g_string_free (self->reasoning_acc, TRUE);
  g_string_free (self->text_acc, TRUE);
  g_string_free (self->piece, TRUE);
  g_string_free (self->pending, TRUE);
  g_free (self);
}

static gboolean
bad_request (MockError  *error,
             char      **detail,
             const char *message)
{
  *error = MOCK_ERROR_BAD_REQUEST;
  *detail = g_strdup (message);
  return FALSE;
}

/* Walks OpenAI/Anthropic/Ollama messages: the last user text is what gets echoed */
static void
exchange_collect_messages (MockExchange *self,
                           JsonArray    *messages,
                           GString      *all)
{
  for (guint i = 0; i < json_array_get_length (messages); i++)
    {
      JsonNode *node = json_array_get_element (messages, i);
      JsonObject *message;
      g_autofree char *text = NULL;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        continue;
      message = json_node_get_object (node);
      text = content_text (member_node (message, "content"));
      g_string_append_printf (all, "%s ", text);
      if (g_strcmp0 (member_string (message, "role"), "user") == 0)
        {
          g_free (self->echo);
          self->echo = g_steal_pointer (&text);
        }
    }
}

/* ------------------------------------------------------------------------------------------ */
/* SSE framing                                                                                */
/* ------------------------------------------------------------------------------------------ */

static void
sse_append (MockExchange *self,
            GString      *out,
            const char   *event,
            JsonObject   *data)
{
  g_autofree char *text = object_to_string (data);
  /* iFlytek Spark writes "data:{…}" without the space; the keepalive scenario does too */
  gboolean compact = exchange_has (self, MOCK_FLAG_KEEPALIVE) && (self->protocol & MOCK_OPENAI_LIKE);

  if (event != NULL)
    g_string_append_printf (out, "event: %s\n", event);
  g_string_append (out, compact ? "data:" : "data: ");
  g_string_append (out, text);
  g_string_append (out, "\n\n");
}

static void
sse_append_node (GString    *out,
                 const char *event,
                 JsonNode   *node)
{
  g_autofree char *text = json_to_string (node, FALSE);

  if (event != NULL)
    g_string_append_printf (out, "event: %s\n", event);
  g_string_append_printf (out, "data: %s\n\n", text);
}

/* ------------------------------------------------------------------------------------------ */
/* OpenAI-compatible and Azure                                                                */
/* ------------------------------------------------------------------------------------------ */

#define OPENAI_NO_KEY_MESSAGE \
  "You didn't provide an API key. You need to provide your API key in an Authorization header " \
  "using Bearer auth (i.e. Authorization: Bearer YOUR_KEY), or as the password field (with blank " \
  "username) if you're accessing the API from your browser and are prompted for a username and " \
  "password. You can obtain an API key from https://platform.openai.com/account/api-keys."
#define OPENAI_BAD_KEY_MESSAGE \
  "Incorrect API key provided. You can find your API key at https://platform.openai.com/account/api-keys."
#define OPENAI_RATE_LIMIT_FORMAT \
  "Rate limit reached for %s in organization org-mock on requests per min (RPM): Limit 3, Used 3, " \
  "Requested 1. Please try again in 1s. Visit https://platform.openai.com/account/rate-limits to " \
  "learn more."
#define OPENAI_QUOTA_MESSAGE \
  "You exceeded your current quota, please check your plan and billing details. For more " \
  "information on this error, read the docs: https://platform.openai.com/docs/guides/error-codes/api-errors."
#define OPENAI_SERVER_MESSAGE \
  "The server had an error while processing your request. Sorry about that!"
#define AZURE_AUTH_MESSAGE \
  "Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a " \
  "valid key for an active subscription and use a correct regional API endpoint for your resource."
#define AZURE_RATE_LIMIT_MESSAGE \
  "Requests to the ChatCompletions_Create Operation under Azure OpenAI API version 2024-10-21 " \
  "have exceeded token rate limit of your current OpenAI S0 pricing tier. Please retry after 1 " \
  "second. Please go here: https://aka.ms/oai/quotaincrease if you would like to further increase " \
  "the default rate limit."
#define AZURE_NOT_FOUND_MESSAGE \
  "The API deployment for this resource does not exist. If you created the deployment within the " \
  "last 5 minutes, please wait a moment and try again."
#define AZURE_FILTER_MESSAGE \
  "The response was filtered due to the prompt triggering Azure OpenAI's content management " \
  "policy. Please modify your prompt and retry. To learn more about our content filtering " \
  "policies please read our documentation: https://go.microsoft.com/fwlink/?linkid=2198766"

static const char *
openai_presented_key (SoupServerMessage *msg)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const char *authorization = soup_message_headers_get_one (headers, "Authorization");

  if (authorization == NULL || g_ascii_strncasecmp (authorization, "Bearer ", 7) != 0)
    return NULL;
  return authorization + 7;
}

static const char *
azure_presented_key (SoupServerMessage *msg)
{
  const char *key = soup_message_headers_get_one (soup_server_message_get_request_headers (msg),
                                                  "api-key");

  return key != NULL ? key : openai_presented_key (msg);
}

static gboolean
openai_parse (MockExchange  *self,
              JsonObject    *request,
              MockError     *error,
              char         **detail)
{
  g_autoptr(GString) all = g_string_new (NULL);
  JsonArray *messages = member_array (request, "messages");
  JsonObject *stream_options = member_object (request, "stream_options");
  const char *model = member_string (request, "model");

  if (self->model == NULL && model == NULL)
    return bad_request (error, detail, "you must provide a model parameter");
  if (self->model == NULL)
    self->model = g_strdup (model);
  if (messages == NULL)
    return bad_request (error, detail, "Missing required parameter: 'messages'.");
  if (json_array_get_length (messages) == 0)
    return bad_request (error, detail, "Invalid 'messages': empty array. Expected an array with "
                        "minimum length 1, but got an empty array instead.");

  self->streaming = member_boolean (request, "stream", FALSE);
  if (stream_options != NULL && !self->streaming)
    return bad_request (error, detail,
                        "The 'stream_options' parameter is only allowed when 'stream' is enabled.");
  self->include_usage = member_boolean (stream_options, "include_usage", FALSE);
  self->show_reasoning = TRUE;
  exchange_collect_messages (self, messages, all);
  self->input_tokens = count_words (all->str);
  return TRUE;
}

static JsonObject *
azure_filter_results (gboolean safe,
                      gboolean filtered)
{
  static const char * const categories[] = { "hate", "self_harm", "sexual", "violence" };
  JsonObject *results = json_object_new ();

  for (guint i = 0; safe && i < G_N_ELEMENTS (categories); i++)
    {
      JsonObject *category = json_object_new ();
      gboolean hit = filtered && g_str_equal (categories[i], "violence");

      json_object_set_boolean_member (category, "filtered", hit);
      json_object_set_string_member (category, "severity", hit ? "high" : "safe");
      json_object_set_object_member (results, categories[i], category);
    }
  return results;
}

static JsonArray *
azure_prompt_filter_results (void)
{
  JsonArray *results = json_array_new ();
  JsonObject *entry = json_object_new ();
  JsonObject *filters = azure_filter_results (TRUE, FALSE);
  JsonObject *jailbreak = json_object_new ();

  json_object_set_boolean_member (jailbreak, "filtered", FALSE);
  json_object_set_boolean_member (jailbreak, "detected", FALSE);
  json_object_set_object_member (filters, "jailbreak", jailbreak);
  json_object_set_int_member (entry, "prompt_index", 0);
  json_object_set_object_member (entry, "content_filter_results", filters);
  json_array_add_object_element (results, entry);
  return results;
}

static JsonObject *
openai_usage (MockExchange *self,
              gboolean      details)
{
  JsonObject *usage = json_object_new ();
  guint output = exchange_output_tokens (self);

  json_object_set_int_member (usage, "prompt_tokens", self->input_tokens);
  json_object_set_int_member (usage, "completion_tokens", output);
  json_object_set_int_member (usage, "total_tokens", self->input_tokens + output);
  if (details)
    {
      JsonObject *prompt = json_object_new ();
      JsonObject *completion = json_object_new ();

      json_object_set_int_member (prompt, "cached_tokens", 0);
      json_object_set_int_member (prompt, "audio_tokens", 0);
      json_object_set_int_member (completion, "reasoning_tokens", self->n_reasoning);
      json_object_set_int_member (completion, "audio_tokens", 0);
      json_object_set_int_member (completion, "accepted_prediction_tokens", 0);
      json_object_set_int_member (completion, "rejected_prediction_tokens", 0);
      json_object_set_object_member (usage, "prompt_tokens_details", prompt);
      json_object_set_object_member (usage, "completion_tokens_details", completion);
    }
  return usage;
}

/* @delta: (transfer full) */
static JsonObject *
openai_choice_new (MockExchange *self,
                   JsonObject   *delta,
                   const char   *finish_reason)
{
  JsonObject *choice = json_object_new ();
  gboolean filtered = g_strcmp0 (finish_reason, "content_filter") == 0;
  /* Azure annotates text deltas; the role and finish chunks carry an empty object */
  gboolean annotated = filtered || (finish_reason == NULL && json_object_has_member (delta, "content") &&
                                    !json_object_has_member (delta, "role"));

  json_object_set_int_member (choice, "index", 0);
  json_object_set_object_member (choice, "delta", delta);
  json_object_set_null_member (choice, "logprobs");
  object_set_nullable_string (choice, "finish_reason", finish_reason);
  if (self->protocol == MOCK_PROTOCOL_AZURE)
    json_object_set_object_member (choice, "content_filter_results",
                                   azure_filter_results (annotated, filtered));
  return choice;
}

/* @choice: (transfer full) (nullable) */
static JsonObject *
openai_chunk_new (MockExchange *self,
                  JsonObject   *choice)
{
  JsonObject *chunk = json_object_new ();
  JsonArray *choices = json_array_new ();

  json_object_set_string_member (chunk, "id", self->id);
  json_object_set_string_member (chunk, "object", "chat.completion.chunk");
  json_object_set_int_member (chunk, "created", self->created);
  json_object_set_string_member (chunk, "model", self->model);
  json_object_set_string_member (chunk, "system_fingerprint", MOCK_FINGERPRINT);
  if (choice != NULL)
    json_array_add_object_element (choices, choice);
  json_object_set_array_member (chunk, "choices", choices);
  if (!exchange_has (self, MOCK_FLAG_USAGE_IN_CHOICE))
    json_object_set_null_member (chunk, "usage");
  return chunk;
}

static void
openai_append_delta (MockExchange *self,
                     GString      *out,
                     JsonObject   *delta)
{
  g_autoptr(JsonObject) chunk = openai_chunk_new (self, openai_choice_new (self, delta, NULL));

  sse_append (self, out, NULL, chunk);
}

static void
openai_keepalive (MockExchange *self,
                  GString      *out)
{
  /* DeepSeek queues with ": keep-alive", OpenRouter with ": OPENROUTER PROCESSING" */
  if (self->keepalive_count++ % 2 == 0)
    g_string_append (out, ": keep-alive\n\n");
  else
    g_string_append (out, ": OPENROUTER PROCESSING\n\n");
}

static void
azure_append_prompt_filter (MockExchange *self,
                            GString      *out)
{
  g_autoptr(JsonObject) chunk = json_object_new ();

  json_object_set_array_member (chunk, "choices", json_array_new ());
  json_object_set_int_member (chunk, "created", 0);
  json_object_set_string_member (chunk, "id", "");
  json_object_set_string_member (chunk, "model", "");
  json_object_set_string_member (chunk, "object", "");
  json_object_set_array_member (chunk, "prompt_filter_results", azure_prompt_filter_results ());
  sse_append (self, out, NULL, chunk);
}

static void
openai_start (MockExchange *self,
              GString      *out)
{
  JsonObject *delta = json_object_new ();

  if (self->protocol == MOCK_PROTOCOL_AZURE)
    azure_append_prompt_filter (self, out);
  if (exchange_has (self, MOCK_FLAG_KEEPALIVE))
    openai_keepalive (self, out);

  json_object_set_string_member (delta, "role", "assistant");
  if (exchange_is_deepseek (self))
    {
      json_object_set_null_member (delta, "content");
      json_object_set_string_member (delta, "reasoning_content", "");
    }
  else
    {
      json_object_set_string_member (delta, "content", "");
      json_object_set_null_member (delta, "refusal");
    }
  openai_append_delta (self, out, delta);
}

static JsonObject *
openrouter_reasoning_delta (const char *piece)
{
  JsonObject *delta = json_object_new ();
  JsonArray *details = json_array_new ();
  JsonObject *detail = json_object_new ();

  json_object_set_string_member (detail, "type", "reasoning.text");
  json_object_set_string_member (detail, "text", piece);
  json_object_set_string_member (detail, "format", "unknown");
  json_object_set_int_member (detail, "index", 0);
  json_array_add_object_element (details, detail);
  json_object_set_string_member (delta, "role", "assistant");
  json_object_set_string_member (delta, "content", "");
  json_object_set_string_member (delta, "reasoning", piece);
  json_object_set_array_member (delta, "reasoning_details", details);
  return delta;
}

static void
openai_delta (MockExchange *self,
              MockDelta     kind,
              const char   *piece,
              GString      *out)
{
  JsonObject *delta;

  if (kind == MOCK_DELTA_REASONING && exchange_has (self, MOCK_FLAG_OPENROUTER))
    delta = openrouter_reasoning_delta (piece);
  else if (kind == MOCK_DELTA_REASONING)
    {
      delta = json_object_new ();
      json_object_set_null_member (delta, "content");
      json_object_set_string_member (delta, "reasoning_content", piece);
    }
  else
    {
      delta = json_object_new ();
      json_object_set_string_member (delta, "content", piece);
      if (exchange_is_deepseek (self))
        json_object_set_null_member (delta, "reasoning_content");
    }
  openai_append_delta (self, out, delta);
}

static const char *
openai_finish_reason (MockExchange *self)
{
  return exchange_has (self, MOCK_FLAG_FILTERED) ? "content_filter" : "stop";
}

static void
openai_finish (MockExchange *self,
               GString      *out)
{
  g_autoptr(JsonObject) chunk = NULL;
  JsonObject *delta = json_object_new ();
  JsonObject *choice;
  gboolean deepseek = exchange_is_deepseek (self);
  gboolean in_choice = exchange_has (self, MOCK_FLAG_USAGE_IN_CHOICE);
  gboolean openrouter = exchange_has (self, MOCK_FLAG_OPENROUTER);

  if (deepseek)
    {
      json_object_set_string_member (delta, "content", "");
      json_object_set_null_member (delta, "reasoning_content");
    }
  choice = openai_choice_new (self, delta, openai_finish_reason (self));
  if (in_choice)
    json_object_set_object_member (choice, "usage", openai_usage (self, FALSE));
  chunk = openai_chunk_new (self, choice);
  if (deepseek)
    json_object_set_object_member (chunk, "usage", openai_usage (self, TRUE));
  sse_append (self, out, NULL, chunk);

  /* The separate usage chunk: requested, or always sent by OpenRouter */
  if ((self->include_usage && !deepseek && !in_choice) || openrouter)
    {
      g_autoptr(JsonObject) usage_chunk = openai_chunk_new (self, NULL);

      json_object_set_object_member (usage_chunk, "usage", openai_usage (self, TRUE));
      sse_append (self, out, NULL, usage_chunk);
    }
}

static void
openai_end (MockExchange *self,
            GString      *out)
{
  if (exchange_has (self, MOCK_FLAG_KEEPALIVE))
    g_string_append (out, "data:[DONE]\n\n");
  else
    g_string_append (out, "data: [DONE]\n\n");
}

static void
openai_error_event (MockExchange *self,
                    MockError     error,
                    GString      *out)
{
  g_autoptr(JsonNode) body = NULL;

  self->klass->error_body (self, error, NULL, &body);
  sse_append_node (out, NULL, body);
}

static JsonObject *
openai_message_new (MockExchange *self)
{
  JsonObject *message = json_object_new ();

  json_object_set_string_member (message, "role", "assistant");
  json_object_set_string_member (message, "content", self->text_acc->str);
  if (exchange_has (self, MOCK_FLAG_OPENROUTER))
    json_object_set_string_member (message, "reasoning", self->reasoning_acc->str);
  else if (exchange_is_deepseek (self))
    json_object_set_string_member (message, "reasoning_content", self->reasoning_acc->str);
  json_object_set_null_member (message, "refusal");
  json_object_set_array_member (message, "annotations", json_array_new ());
  return message;
}

static JsonNode *
openai_complete (MockExchange *self)
{
  JsonObject *response = json_object_new ();
  JsonArray *choices = json_array_new ();
  JsonObject *choice = json_object_new ();
  gboolean filtered = exchange_has (self, MOCK_FLAG_FILTERED);

  json_object_set_int_member (choice, "index", 0);
  json_object_set_object_member (choice, "message", openai_message_new (self));
  json_object_set_null_member (choice, "logprobs");
  json_object_set_string_member (choice, "finish_reason", openai_finish_reason (self));
  if (self->protocol == MOCK_PROTOCOL_AZURE)
    json_object_set_object_member (choice, "content_filter_results", azure_filter_results (TRUE, filtered));
  json_array_add_object_element (choices, choice);

  json_object_set_string_member (response, "id", self->id);
  json_object_set_string_member (response, "object", "chat.completion");
  json_object_set_int_member (response, "created", self->created);
  json_object_set_string_member (response, "model", self->model);
  json_object_set_array_member (response, "choices", choices);
  json_object_set_object_member (response, "usage", openai_usage (self, TRUE));
  json_object_set_string_member (response, "system_fingerprint", MOCK_FINGERPRINT);
  if (self->protocol == MOCK_PROTOCOL_AZURE)
    json_object_set_array_member (response, "prompt_filter_results", azure_prompt_filter_results ());
  return node_take_object (response);
}

static JsonNode *
openai_error_node (const char *message,
                   const char *type,
                   const char *param,
                   const char *code)
{
  JsonObject *root = json_object_new ();
  JsonObject *error = json_object_new ();

  json_object_set_string_member (error, "message", message);
  object_set_nullable_string (error, "type", type);
  object_set_nullable_string (error, "param", param);
  object_set_nullable_string (error, "code", code);
  json_object_set_object_member (root, "error", error);
  return node_take_object (root);
}

static guint
openai_error_body (MockExchange  *self,
                   MockError      error,
                   const char    *detail,
                   JsonNode     **body)
{
  g_autofree char *message = NULL;

  switch (error)
    {
    case MOCK_ERROR_AUTH_MISSING:
      *body = openai_error_node (OPENAI_NO_KEY_MESSAGE, "invalid_request_error", NULL, NULL);
      return SOUP_STATUS_UNAUTHORIZED;
    case MOCK_ERROR_AUTH_INVALID:
      *body = openai_error_node (OPENAI_BAD_KEY_MESSAGE, "invalid_request_error", NULL, "invalid_api_key");
      return SOUP_STATUS_UNAUTHORIZED;
    case MOCK_ERROR_REGION:
      *body = openai_error_node ("Country, region, or territory not supported", "request_forbidden",
                                 NULL, "unsupported_country_region_territory");
      return SOUP_STATUS_FORBIDDEN;
    case MOCK_ERROR_RATE_LIMIT:
    case MOCK_ERROR_FLAKY_RATE_LIMIT:
      message = g_strdup_printf (OPENAI_RATE_LIMIT_FORMAT, exchange_model (self));
      *body = openai_error_node (message, "requests", NULL, "rate_limit_exceeded");
      return MOCK_STATUS_TOO_MANY_REQUESTS;
    case MOCK_ERROR_QUOTA:
      *body = openai_error_node (OPENAI_QUOTA_MESSAGE, "insufficient_quota", NULL, "insufficient_quota");
      return MOCK_STATUS_TOO_MANY_REQUESTS;
    case MOCK_ERROR_NOT_FOUND:
      message = g_strdup_printf ("The model `%s` does not exist or you do not have access to it.", detail);
      *body = openai_error_node (message, "invalid_request_error", NULL, "model_not_found");
      return SOUP_STATUS_NOT_FOUND;
    case MOCK_ERROR_BAD_REQUEST:
      *body = openai_error_node (detail, "invalid_request_error", NULL, NULL);
      return SOUP_STATUS_BAD_REQUEST;
    case MOCK_ERROR_OVERLOADED:
      *body = openai_error_node ("The engine is currently overloaded, please try again later.",
                                 "server_error", NULL, NULL);
      return SOUP_STATUS_SERVICE_UNAVAILABLE;
    case MOCK_ERROR_NONE:
    case MOCK_ERROR_SERVER:
    case MOCK_ERROR_FLAKY_SERVER:
    case MOCK_ERROR_CONTENT_FILTER:
    case MOCK_ERROR_NO_RESOURCE:
    case MOCK_ERROR_INBAND:
    default:
      *body = openai_error_node (OPENAI_SERVER_MESSAGE, "server_error", NULL, NULL);
      return SOUP_STATUS_INTERNAL_SERVER_ERROR;
    }
}

/* Azure's own errors are {"error":{"code","message"}} with a string code */
static JsonNode *
azure_error_node (const char *code,
                  const char *message)
{
  JsonObject *root = json_object_new ();
  JsonObject *error = json_object_new ();

  json_object_set_string_member (error, "code", code);
  json_object_set_string_member (error, "message", message);
  json_object_set_object_member (root, "error", error);
  return node_take_object (root);
}

static JsonNode *
azure_content_filter_node (void)
{
  JsonObject *root = json_object_new ();
  JsonObject *error = json_object_new ();
  JsonObject *inner = json_object_new ();
  JsonObject *results = azure_filter_results (TRUE, FALSE);
  JsonObject *jailbreak = json_object_new ();

  json_object_set_boolean_member (jailbreak, "filtered", TRUE);
  json_object_set_boolean_member (jailbreak, "detected", TRUE);
  json_object_set_object_member (results, "jailbreak", jailbreak);
  json_object_set_string_member (inner, "code", "ResponsibleAIPolicyViolation");
  json_object_set_object_member (inner, "content_filter_result", results);
  json_object_set_string_member (error, "message", AZURE_FILTER_MESSAGE);
  json_object_set_null_member (error, "type");
  json_object_set_string_member (error, "param", "prompt");
  json_object_set_string_member (error, "code", "content_filter");
  json_object_set_int_member (error, "status", 400);
  json_object_set_object_member (error, "innererror", inner);
  json_object_set_object_member (root, "error", error);
  return node_take_object (root);
}

static guint
azure_error_body (MockExchange  *self,
                  MockError      error,
                  const char    *detail,
                  JsonNode     **body)
{
  switch (error)
    {
    case MOCK_ERROR_AUTH_MISSING:
    case MOCK_ERROR_AUTH_INVALID:
      *body = azure_error_node ("401", AZURE_AUTH_MESSAGE);
      return SOUP_STATUS_UNAUTHORIZED;
    case MOCK_ERROR_REGION:
      *body = azure_error_node ("403", "Access denied due to Virtual Network/Firewall rules.");
      return SOUP_STATUS_FORBIDDEN;
    case MOCK_ERROR_RATE_LIMIT:
    case MOCK_ERROR_FLAKY_RATE_LIMIT:
      *body = azure_error_node ("429", AZURE_RATE_LIMIT_MESSAGE);
      return MOCK_STATUS_TOO_MANY_REQUESTS;
    case MOCK_ERROR_NOT_FOUND:
      *body = azure_error_node ("DeploymentNotFound", AZURE_NOT_FOUND_MESSAGE);
      return SOUP_STATUS_NOT_FOUND;
    case MOCK_ERROR_NO_RESOURCE:
      *body = azure_error_node ("404", "Resource not found");
      return SOUP_STATUS_NOT_FOUND;
    case MOCK_ERROR_CONTENT_FILTER:
      *body = azure_content_filter_node ();
      return SOUP_STATUS_BAD_REQUEST;
    case MOCK_ERROR_NONE:
    case MOCK_ERROR_QUOTA:
    case MOCK_ERROR_SERVER:
    case MOCK_ERROR_FLAKY_SERVER:
    case MOCK_ERROR_OVERLOADED:
    case MOCK_ERROR_BAD_REQUEST:
    case MOCK_ERROR_INBAND:
    default:
      return openai_error_body (self, error, detail, body);
    }
}

static void exchange_respond_json (MockExchange *self, guint status, JsonNode *body);

static void
openai_list_models (MockExchange *self,
                    GHashTable   *query)
{
  g_autoptr(GPtrArray) names = scenario_names (self->protocol);
  JsonObject *root = json_object_new ();
  JsonArray *data = json_array_new ();
  g_autoptr(JsonNode) node = NULL;

  for (guint i = 0; i < names->len; i++)
    {
      JsonObject *model = json_object_new ();

      json_object_set_string_member (model, "id", g_ptr_array_index (names, i));
      json_object_set_string_member (model, "object", "model");
      json_object_set_int_member (model, "created", MOCK_MODELS_EPOCH - i * 86400);
      json_object_set_string_member (model, "owned_by", "confab-mock");
      json_array_add_object_element (data, model);
    }
  json_object_set_string_member (root, "object", "list");
  json_object_set_array_member (root, "data", data);
  node = node_take_object (root);
  exchange_respond_json (self, SOUP_STATUS_OK, node);
}

/* ------------------------------------------------------------------------------------------ */
/* Anthropic                                                                                  */
/* ------------------------------------------------------------------------------------------ */

#define ANTHROPIC_RATE_LIMIT_MESSAGE \
  "This request would exceed the rate limit for your organization of 50 requests per minute. For " \
  "details, refer to: https://docs.claude.com/en/api/rate-limits. You can see the response headers " \
  "for current usage. Please reduce the prompt length or the maximum tokens requested, or try " \
  "again later. You may also contact sales at https://www.anthropic.com/contact-sales to discuss " \
  "your options for a rate limit increase."
#define ANTHROPIC_QUOTA_MESSAGE \
  "Your credit balance is too low to access the Anthropic API. Please go to Plans & Billing to " \
  "upgrade or purchase credits."
#define ANTHROPIC_SYSTEM_ROLE_MESSAGE \
  "messages: Unexpected role \"system\". The Messages API accepts a top-level `system` parameter, " \
  "not \"system\" as an input message role."
#define ANTHROPIC_BUDGET_MESSAGE \
  "`max_tokens` must be greater than `thinking.budget_tokens`. Please consult our documentation " \
  "at https://docs.claude.com/en/docs/build-with-claude/extended-thinking#max-tokens-and-context-window-size"
#define ANTHROPIC_THINKING_TEMPERATURE_MESSAGE \
  "`temperature` may only be set to 1 when thinking is enabled. Please consult our documentation " \
  "at https://docs.claude.com/en/docs/build-with-claude/extended-thinking" \
  "#important-considerations-when-using-extended-thinking"

static const char *
anthropic_presented_key (SoupServerMessage *msg)
{
  const char *key = soup_message_headers_get_one (soup_server_message_get_request_headers (msg),
                                                  "x-api-key");

  return key != NULL ? key : openai_presented_key (msg);
}

static gboolean
anthropic_check_messages (JsonArray  *messages,
                          MockError  *error,
                          char      **detail)
{
  for (guint i = 0; i < json_array_get_length (messages); i++)
    {
      JsonNode *node = json_array_get_element (messages, i);
      const char *role = JSON_NODE_HOLDS_OBJECT (node) ?
                         member_string (json_node_get_object (node), "role") : NULL;
      g_autofree char *message = NULL;

      if (g_strcmp0 (role, "system") == 0)
        return bad_request (error, detail, ANTHROPIC_SYSTEM_ROLE_MESSAGE);
      if (g_strcmp0 (role, "user") != 0 && g_strcmp0 (role, "assistant") != 0)
        {
          message = g_strdup_printf ("messages.%u.role: Input should be 'user' or 'assistant'", i);
          return bad_request (error, detail, message);
        }
    }
  return TRUE;
}

static gboolean
anthropic_parse_thinking (MockExchange  *self,
                          JsonObject    *request,
                          double         max_tokens,
                          MockError     *error,
                          char         **detail)
{
  JsonObject *thinking = member_object (request, "thinking");
  const char *type = member_string (thinking, "type");
  double budget = 0, temperature = 1;

  if (g_strcmp0 (type, "adaptive") == 0)
    self->show_reasoning = TRUE;
  if (g_strcmp0 (type, "enabled") != 0)
    return TRUE;
  if (!member_number (thinking, "budget_tokens", &budget))
    return bad_request (error, detail, "thinking.enabled.budget_tokens: Field required");
  if (budget < 1024)
    return bad_request (error, detail,
                        "thinking.enabled.budget_tokens: Input should be greater than or equal to 1024");
  if (budget >= max_tokens)
    return bad_request (error, detail, ANTHROPIC_BUDGET_MESSAGE);
  if (member_number (request, "temperature", &temperature) && temperature != 1)
    return bad_request (error, detail, ANTHROPIC_THINKING_TEMPERATURE_MESSAGE);
  self->show_reasoning = TRUE;
  return TRUE;
}

static gboolean
anthropic_parse (MockExchange  *self,
                 JsonObject    *request,
                 MockError     *error,
                 char         **detail)
{
  g_autoptr(GString) all = g_string_new (NULL);
  g_autofree char *system = content_text (member_node (request, "system"));
  JsonArray *messages = member_array (request, "messages");
  const char *model = member_string (request, "model");
  double max_tokens = 0, temperature = 0;

  if (model == NULL)
    return bad_request (error, detail, "model: Field required");
  self->model = g_strdup (model);
  if (!member_number (request, "max_tokens", &max_tokens))
    return bad_request (error, detail, "max_tokens: Field required");
  if (messages == NULL)
    return bad_request (error, detail, "messages: Field required");
  if (!anthropic_check_messages (messages, error, detail))
    return FALSE;
  if (member_number (request, "temperature", &temperature) && (temperature < 0 || temperature > 1))
    return bad_request (error, detail, "temperature: Input should be less than or equal to 1");
  if (!anthropic_parse_thinking (self, request, max_tokens, error, detail))
    return FALSE;

  self->streaming = member_boolean (request, "stream", FALSE);
  g_string_append_printf (all, "%s ", system);
  exchange_collect_messages (self, messages, all);
  self->input_tokens = count_words (all->str);
  return TRUE;
}

static JsonObject *
anthropic_usage (MockExchange *self,
                 guint         output_tokens,
                 gboolean      tier)
{
  JsonObject *usage = json_object_new ();

  json_object_set_int_member (usage, "input_tokens", self->input_tokens);
  json_object_set_int_member (usage, "cache_creation_input_tokens", 0);
  json_object_set_int_member (usage, "cache_read_input_tokens", 0);
  json_object_set_int_member (usage, "output_tokens", output_tokens);
  if (tier)
    json_object_set_string_member (usage, "service_tier", "standard");
  return usage;
}

static JsonObject *
anthropic_message_new (MockExchange *self,
                       JsonArray    *content,
                       const char   *stop_reason,
                       JsonObject   *usage)
{
  JsonObject *message = json_object_new ();

  json_object_set_string_member (message, "id", self->id);
  json_object_set_string_member (message, "type", "message");
  json_object_set_string_member (message, "role", "assistant");
  json_object_set_string_member (message, "model", self->model);
  json_object_set_array_member (message, "content", content);
  object_set_nullable_string (message, "stop_reason", stop_reason);
  json_object_set_null_member (message, "stop_sequence");
  json_object_set_object_member (message, "usage", usage);
  return message;
}

static void
anthropic_block_start (MockExchange *self,
                       GString      *out,
                       gboolean      thinking)
{
  g_autoptr(JsonObject) event = json_object_new ();
  JsonObject *block = json_object_new ();

  if (thinking)
    {
      json_object_set_string_member (block, "type", "thinking");
      json_object_set_string_member (block, "thinking", "");
      json_object_set_string_member (block, "signature", "");
    }
  else
    {
      json_object_set_string_member (block, "type", "text");
      json_object_set_string_member (block, "text", "");
    }
  json_object_set_string_member (event, "type", "content_block_start");
  json_object_set_int_member (event, "index", self->block_index);
  json_object_set_object_member (event, "content_block", block);
  sse_append (self, out, "content_block_start", event);
  self->block_is_thinking = thinking;
}

static void
anthropic_block_delta (MockExchange *self,
                       GString      *out,
                       const char   *type,
                       const char   *field,
                       const char   *value)
{
  g_autoptr(JsonObject) event = json_object_new ();
  JsonObject *delta = json_object_new ();

  json_object_set_string_member (delta, "type", type);
  json_object_set_string_member (delta, field, value);
  json_object_set_string_member (event, "type", "content_block_delta");
  json_object_set_int_member (event, "index", self->block_index);
  json_object_set_object_member (event, "delta", delta);
  sse_append (self, out, "content_block_delta", event);
}

static void
anthropic_block_stop (MockExchange *self,
                      GString      *out)
{
  g_autoptr(JsonObject) event = json_object_new ();

  if (self->block_is_thinking)
    anthropic_block_delta (self, out, "signature_delta", "signature", MOCK_SIGNATURE);
  json_object_set_string_member (event, "type", "content_block_stop");
  json_object_set_int_member (event, "index", self->block_index);
  sse_append (self, out, "content_block_stop", event);
}

static void
anthropic_ping (MockExchange *self,
                GString      *out)
{
  /* Verbatim from the API: the ping's data keeps Python's space after the colon */
  g_string_append (out, "event: ping\ndata: {\"type\": \"ping\"}\n\n");
}

static void
anthropic_start (MockExchange *self,
                 GString      *out)
{
  g_autoptr(JsonObject) event = json_object_new ();

  json_object_set_string_member (event, "type", "message_start");
  json_object_set_object_member (event, "message",
                                 anthropic_message_new (self, json_array_new (), NULL,
                                                        anthropic_usage (self, 1, TRUE)));
  sse_append (self, out, "message_start", event);
  anthropic_block_start (self, out, exchange_has (self, MOCK_FLAG_REASONING) && self->show_reasoning);
  anthropic_ping (self, out);
}

static void
anthropic_delta (MockExchange *self,
                 MockDelta     kind,
                 const char   *piece,
                 GString      *out)
{
  if (kind == MOCK_DELTA_REASONING)
    {
      anthropic_block_delta (self, out, "thinking_delta", "thinking", piece);
      return;
    }
  if (self->block_is_thinking)
    {
      anthropic_block_stop (self, out);
      self->block_index++;
      anthropic_block_start (self, out, FALSE);
    }
  anthropic_block_delta (self, out, "text_delta", "text", piece);
}

static void
anthropic_finish (MockExchange *self,
                  GString      *out)
{
  g_autoptr(JsonObject) event = json_object_new ();
  JsonObject *delta = json_object_new ();

  anthropic_block_stop (self, out);
  json_object_set_string_member (delta, "stop_reason", "end_turn");
  json_object_set_null_member (delta, "stop_sequence");
  json_object_set_string_member (event, "type", "message_delta");
  json_object_set_object_member (event, "delta", delta);
  json_object_set_object_member (event, "usage",
                                 anthropic_usage (self, exchange_output_tokens (self), FALSE));
  sse_append (self, out, "message_delta", event);
}

static void
anthropic_end (MockExchange *self,
               GString      *out)
{
  g_autoptr(JsonObject) event = json_object_new ();

  json_object_set_string_member (event, "type", "message_stop");
  sse_append (self, out, "message_stop", event);
}

static void
anthropic_error_event (MockExchange *self,
                       MockError     error,
                       GString      *out)
{
  g_autoptr(JsonNode) body = NULL;

  self->klass->error_body (self, error, NULL, &body);
  sse_append_node (out, "error", body);
}

static JsonNode *
anthropic_complete (MockExchange *self)
{
  JsonArray *content = json_array_new ();
  JsonObject *text = json_object_new ();
  JsonObject *usage;

  if (exchange_has (self, MOCK_FLAG_REASONING) && self->show_reasoning)
    {
      JsonObject *thinking = json_object_new ();

      json_object_set_string_member (thinking, "type", "thinking");
      json_object_set_string_member (thinking, "thinking", self->reasoning_acc->str);
      json_object_set_string_member (thinking, "signature", MOCK_SIGNATURE);
      json_array_add_object_element (content, thinking);
    }
  json_object_set_string_member (text, "type", "text");
  json_object_set_string_member (text, "text", self->text_acc->str);
  json_array_add_object_element (content, text);
  usage = anthropic_usage (self, exchange_output_tokens (self), TRUE);
  return node_take_object (anthropic_message_new (self, content, "end_turn", usage));
}

static JsonNode *
anthropic_error_node (MockExchange *self,
                      const char   *type,
                      const char   *message)
{
  JsonObject *root = json_object_new ();
  JsonObject *error = json_object_new ();

  json_object_set_string_member (error, "type", type);
  json_object_set_string_member (error, "message", message);
  json_object_set_string_member (root, "type", "error");
  json_object_set_object_member (root, "error", error);
  json_object_set_string_member (root, "request_id", self->request_id);
  return node_take_object (root);
}

/* Unsupported regions are refused at the edge, in a shape of their own */
static JsonNode *
anthropic_region_node (void)
{
  JsonObject *root = json_object_new ();
  JsonObject *error = json_object_new ();

  json_object_set_string_member (error, "type", "forbidden");
  json_object_set_string_member (error, "message", "Request not allowed");
  json_object_set_object_member (root, "error", error);
  return node_take_object (root);
}

static guint
anthropic_error_body (MockExchange  *self,
                      MockError      error,
                      const char    *detail,
                      JsonNode     **body)
{
  g_autofree char *message = NULL;

  switch (error)
    {
    case MOCK_ERROR_AUTH_MISSING:
      *body = anthropic_error_node (self, "authentication_error", "x-api-key header is required");
      return SOUP_STATUS_UNAUTHORIZED;
    case MOCK_ERROR_AUTH_INVALID:
      *body = anthropic_error_node (self, "authentication_error", "invalid x-api-key");
      return SOUP_STATUS_UNAUTHORIZED;
    case MOCK_ERROR_REGION:
      *body = anthropic_region_node ();
      return SOUP_STATUS_FORBIDDEN;
    case MOCK_ERROR_RATE_LIMIT:
    case MOCK_ERROR_FLAKY_RATE_LIMIT:
      *body = anthropic_error_node (self, "rate_limit_error", ANTHROPIC_RATE_LIMIT_MESSAGE);
      return MOCK_STATUS_TOO_MANY_REQUESTS;
    case MOCK_ERROR_QUOTA:
      *body = anthropic_error_node (self, "invalid_request_error", ANTHROPIC_QUOTA_MESSAGE);
      return SOUP_STATUS_BAD_REQUEST;
    case MOCK_ERROR_OVERLOADED:
      *body = anthropic_error_node (self, "overloaded_error", "Overloaded");
      return MOCK_STATUS_OVERLOADED;
    case MOCK_ERROR_NOT_FOUND:
      message = g_strdup_printf ("model: %s", detail);
      *body = anthropic_error_node (self, "not_found_error", message);
      return SOUP_STATUS_NOT_FOUND;
    case MOCK_ERROR_BAD_REQUEST:
      *body = anthropic_error_node (self, "invalid_request_error", detail);
      return SOUP_STATUS_BAD_REQUEST;
    case MOCK_ERROR_NONE:
    case MOCK_ERROR_SERVER:
    case MOCK_ERROR_FLAKY_SERVER:
    case MOCK_ERROR_CONTENT_FILTER:
    case MOCK_ERROR_NO_RESOURCE:
    case MOCK_ERROR_INBAND:
    default:
      *body = anthropic_error_node (self, "api_error", "Internal server error");
      return SOUP_STATUS_INTERNAL_SERVER_ERROR;
    }
}

static JsonObject *
anthropic_model_new (const char *name,
                     guint       index)
{
  JsonObject *model = json_object_new ();
  g_autofree char *display = g_strdup_printf ("Mock %s", name);
  g_autofree char *created = timestamp_from_unix (MOCK_MODELS_EPOCH - index * 86400);

  json_object_set_string_member (model, "type", "model");
  json_object_set_string_member (model, "id", name);
  json_object_set_string_member (model, "display_name", display);
  json_object_set_string_member (model, "created_at", created);
  return model;
}

static int
names_index (GPtrArray  *names,
             const char *name)
{
  for (guint i = 0; i < names->len; i++)
    if (g_str_equal (g_ptr_array_index (names, i), name))
      return i;
  return -1;
}

/* Computes the page [*start, *end) from limit, after_id and before_id; FALSE on a bad query */
static gboolean
anthropic_page (GPtrArray  *names,
                GHashTable *query,
                guint      *start,
                guint      *end,
                gboolean   *has_more)
{
  const char *limit_text = query != NULL ? g_hash_table_lookup (query, "limit") : NULL;
  const char *after = query != NULL ? g_hash_table_lookup (query, "after_id") : NULL;
  const char *before = query != NULL ? g_hash_table_lookup (query, "before_id") : NULL;
  guint64 limit = 20;
  int index;

  if (limit_text != NULL && !g_ascii_string_to_unsigned (limit_text, 10, 1, 1000, &limit, NULL))
    return FALSE;
  if (before != NULL)
    {
      if ((index = names_index (names, before)) < 0)
        return FALSE;
      *end = index;
      *start = *end > limit ? *end - limit : 0;
      *has_more = *start > 0;
      return TRUE;
    }
  *start = 0;
  if (after != NULL && (index = names_index (names, after)) < 0)
    return FALSE;
  if (after != NULL)
    *start = index + 1;
  *end = MIN (*start + limit, names->len);
  *has_more = *end < names->len;
  return TRUE;
}

static void
anthropic_list_models (MockExchange *self,
                       GHashTable   *query)
{
  g_autoptr(GPtrArray) names = scenario_names (self->protocol);
  g_autoptr(JsonNode) node = NULL;
  JsonObject *root;
  JsonArray *data;
  guint start, end;
  gboolean has_more;

  if (!anthropic_page (names, query, &start, &end, &has_more))
    {
      node = anthropic_error_node (self, "invalid_request_error",
                                   "limit must be 1-1000 and after_id/before_id a known model id");
      exchange_respond_json (self, SOUP_STATUS_BAD_REQUEST, node);
      return;
    }
  root = json_object_new ();
  data = json_array_new ();
  for (guint i = start; i < end; i++)
    json_array_add_object_element (data, anthropic_model_new (g_ptr_array_index (names, i), i));
  json_object_set_array_member (root, "data", data);
  json_object_set_boolean_member (root, "has_more", has_more);
  object_set_nullable_string (root, "first_id", end > start ? g_ptr_array_index (names, start) : NULL);
  object_set_nullable_string (root, "last_id", end > start ? g_ptr_array_index (names, end - 1) : NULL);
  node = node_take_object (root);
  exchange_respond_json (self, SOUP_STATUS_OK, node);
}

/* ------------------------------------------------------------------------------------------ */
/* Gemini                                                                                     */
/* ------------------------------------------------------------------------------------------ */

#define GEMINI_KEY_MESSAGE "API key not valid. Please pass a valid API key."
#define GEMINI_QUOTA_MESSAGE \
  "You exceeded your current quota, please check your plan and billing details. For more " \
  "information on this error, head to: https://ai.google.dev/gemini-api/docs/rate-limits."
#define GEMINI_INTERNAL_MESSAGE \
  "An internal error has occurred. Please retry or report in " \
  "https://developers.generativeai.google/guide/troubleshooting"
#define GEMINI_NOT_FOUND_FORMAT \
  "models/%s is not found for API version v1beta, or is not supported for generateContent. Call " \
  "ListModels to see the list of available models and their supported methods."
#define GEMINI_EMBEDDING_MODEL "gemini-embedding-001"
#define GEMINI_PER_MINUTE_QUOTA "GenerateRequestsPerMinutePerProjectPerModel-FreeTier"
#define GEMINI_PER_DAY_QUOTA "GenerateRequestsPerDayPerProjectPerModel-FreeTier"
#define GEMINI_EMBEDDING_INDEX 3

static const char *
gemini_presented_key (SoupServerMessage *msg)
{
  const char *key = soup_message_headers_get_one (soup_server_message_get_request_headers (msg),
                                                  "x-goog-api-key");
  GUri *uri = soup_server_message_get_uri (msg);
  const char *query = g_uri_get_query (uri);
  g_autoptr(GHashTable) params = NULL;
  static GQuark key_quark;

  if (key != NULL || query == NULL)
    return key;
  /* The key is borrowed from the message: keep the string alive as long as the message */
  if (key_quark == 0)
    key_quark = g_quark_from_static_string ("confab-mock-query-key");
  params = g_uri_parse_params (query, -1, "&", G_URI_PARAMS_NONE, NULL);
  if (params == NULL || g_hash_table_lookup (params, "key") == NULL)
    return NULL;
  g_object_set_qdata_full (G_OBJECT (msg), key_quark,
                           g_strdup (g_hash_table_lookup (params, "key")), g_free);
  return g_object_get_qdata (G_OBJECT (msg), key_quark);
}

static gboolean
gemini_parse_contents (MockExchange  *self,
                       JsonArray     *contents,
                       GString       *all,
                       MockError     *error,
                       char         **detail)
{
  for (guint i = 0; i < json_array_get_length (contents); i++)
    {
      JsonNode *node = json_array_get_element (contents, i);
      JsonObject *content = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
      const char *role = member_string (content, "role");
      g_autofree char *text = content_text (member_node (content, "parts"));

      if (role == NULL)
        role = "user";
      if (!g_str_equal (role, "user") && !g_str_equal (role, "model"))
        return bad_request (error, detail, "Please use a valid role: user, model.");
      g_string_append_printf (all, "%s ", text);
      if (g_str_equal (role, "user"))
        {
          g_free (self->echo);
          self->echo = g_steal_pointer (&text);
        }
    }
  return TRUE;
}

static gboolean
gemini_parse (MockExchange  *self,
              JsonObject    *request,
              MockError     *error,
              char         **detail)
{
  g_autoptr(GString) all = g_string_new (NULL);
  JsonArray *contents = member_array (request, "contents");
  JsonObject *system = member_object (request, "systemInstruction");
  JsonObject *config = member_object (request, "generationConfig");
  JsonObject *thinking = member_object (config, "thinkingConfig");
  g_autofree char *system_text = content_text (member_node (system, "parts"));

  if (contents == NULL || json_array_get_length (contents) == 0)
    return bad_request (error, detail, "* GenerateContentRequest.contents: contents is not specified\n");
  if (!gemini_parse_contents (self, contents, all, error, detail))
    return FALSE;
  self->show_reasoning = member_boolean (thinking, "includeThoughts", FALSE);
  g_string_append (all, system_text);
  self->input_tokens = count_words (all->str);
  return TRUE;
}

static JsonObject *
gemini_usage (MockExchange *self)
{
  JsonObject *usage = json_object_new ();
  JsonArray *details = json_array_new ();
  JsonObject *detail = json_object_new ();

  json_object_set_string_member (detail, "modality", "TEXT");
  json_object_set_int_member (detail, "tokenCount", self->input_tokens);
  json_array_add_object_element (details, detail);
  json_object_set_int_member (usage, "promptTokenCount", self->input_tokens);
  json_object_set_int_member (usage, "candidatesTokenCount", self->n_text);
  json_object_set_int_member (usage, "totalTokenCount", self->input_tokens + exchange_output_tokens (self));
  json_object_set_array_member (usage, "promptTokensDetails", details);
  if (self->n_reasoning > 0)
    json_object_set_int_member (usage, "thoughtsTokenCount", self->n_reasoning);
  return usage;
}

/* @parts: (transfer full) */
static JsonObject *
gemini_response_new (MockExchange *self,
                     JsonArray    *parts,
                     const char   *finish_reason)
{
  JsonObject *response = json_object_new ();
  JsonArray *candidates = json_array_new ();
  JsonObject *candidate = json_object_new ();
  JsonObject *content = json_object_new ();

  json_object_set_array_member (content, "parts", parts);
  json_object_set_string_member (content, "role", "model");
  json_object_set_object_member (candidate, "content", content);
  if (finish_reason != NULL)
    json_object_set_string_member (candidate, "finishReason", finish_reason);
  json_object_set_int_member (candidate, "index", 0);
  json_array_add_object_element (candidates, candidate);
  json_object_set_array_member (response, "candidates", candidates);
  json_object_set_object_member (response, "usageMetadata", gemini_usage (self));
  json_object_set_string_member (response, "modelVersion", self->model);
  json_object_set_string_member (response, "responseId", self->id);
  return response;
}

static JsonArray *
gemini_parts (const char *text,
              gboolean    thought,
              const char *signature)
{
  JsonArray *parts = json_array_new ();
  JsonObject *part = json_object_new ();

  json_object_set_string_member (part, "text", text);
  if (thought)
    json_object_set_boolean_member (part, "thought", TRUE);
  if (signature != NULL)
    json_object_set_string_member (part, "thoughtSignature", signature);
  json_array_add_object_element (parts, part);
  return parts;
}

static void
gemini_start (MockExchange *self,
              GString      *out)
{
}

static void
gemini_delta (MockExchange *self,
              MockDelta     kind,
              const char   *piece,
              GString      *out)
{
  g_autoptr(JsonObject) response = NULL;

  response = gemini_response_new (self, gemini_parts (piece, kind == MOCK_DELTA_REASONING, NULL), NULL);
  sse_append (self, out, NULL, response);
}

static void
gemini_finish (MockExchange *self,
               GString      *out)
{
  const char *signature = exchange_has (self, MOCK_FLAG_REASONING) ? MOCK_SIGNATURE : NULL;
  g_autoptr(JsonObject) response = gemini_response_new (self, gemini_parts ("", FALSE, signature), "STOP");

  sse_append (self, out, NULL, response);
}

static void
gemini_end (MockExchange *self,
            GString      *out)
{
}

static void
gemini_error_event (MockExchange *self,
                    MockError     error,
                    GString      *out)
{
  g_autoptr(JsonNode) body = NULL;

  self->klass->error_body (self, error, NULL, &body);
  sse_append_node (out, NULL, body);
}

static JsonNode *
gemini_complete (MockExchange *self)
{
  JsonArray *parts = json_array_new ();
  JsonObject *text = json_object_new ();

  if (self->show_reasoning && self->reasoning_acc->len > 0)
    {
      JsonObject *thought = json_object_new ();

      json_object_set_string_member (thought, "text", self->reasoning_acc->str);
      json_object_set_boolean_member (thought, "thought", TRUE);
      json_array_add_object_element (parts, thought);
    }
  json_object_set_string_member (text, "text", self->text_acc->str);
  json_array_add_object_element (parts, text);
  return node_take_object (gemini_response_new (self, parts, "STOP"));
}

/* @details: (transfer full) (nullable) */
static JsonNode *
gemini_error_node (guint       code,
                   const char *message,
                   const char *status,
                   JsonArray  *details)
{
  JsonObject *root = json_object_new ();
  JsonObject *error = json_object_new ();

  json_object_set_int_member (error, "code", code);
  json_object_set_string_member (error, "message", message);
  json_object_set_string_member (error, "status", status);
  if (details != NULL)
    json_object_set_array_member (error, "details", details);
  json_object_set_object_member (root, "error", error);
  return node_take_object (root);
}

static JsonArray *
gemini_key_details (void)
{
  JsonArray *details = json_array_new ();
  JsonObject *info = json_object_new ();
  JsonObject *metadata = json_object_new ();
  JsonObject *localized = json_object_new ();

  json_object_set_string_member (metadata, "service", "generativelanguage.googleapis.com");
  json_object_set_string_member (info, "@type", "type.googleapis.com/google.rpc.ErrorInfo");
  json_object_set_string_member (info, "reason", "API_KEY_INVALID");
  json_object_set_string_member (info, "domain", "googleapis.com");
  json_object_set_object_member (info, "metadata", metadata);
  json_object_set_string_member (localized, "@type", "type.googleapis.com/google.rpc.LocalizedMessage");
  json_object_set_string_member (localized, "locale", "en-US");
  json_object_set_string_member (localized, "message", GEMINI_KEY_MESSAGE);
  json_array_add_object_element (details, info);
  json_array_add_object_element (details, localized);
  return details;
}

/* @retry_delay: (nullable): the google.rpc.RetryInfo delay, none for a daily quota */
static JsonArray *
gemini_quota_details (MockExchange *self,
                      const char   *quota_id,
                      const char   *retry_delay)
{
  JsonArray *details = json_array_new ();
  JsonObject *failure = json_object_new ();
  JsonArray *violations = json_array_new ();
  JsonObject *violation = json_object_new ();
  JsonObject *dimensions = json_object_new ();

  json_object_set_string_member (dimensions, "location", "global");
  json_object_set_string_member (dimensions, "model", exchange_model (self));
  json_object_set_string_member (violation, "quotaMetric",
                                 "generativelanguage.googleapis.com/generate_content_free_tier_requests");
  json_object_set_string_member (violation, "quotaId", quota_id);
  json_object_set_object_member (violation, "quotaDimensions", dimensions);
  json_object_set_string_member (violation, "quotaValue", "10");
  json_array_add_object_element (violations, violation);
  json_object_set_string_member (failure, "@type", "type.googleapis.com/google.rpc.QuotaFailure");
  json_object_set_array_member (failure, "violations", violations);
  json_array_add_object_element (details, failure);
  if (retry_delay != NULL)
    {
      JsonObject *retry = json_object_new ();

      json_object_set_string_member (retry, "@type", "type.googleapis.com/google.rpc.RetryInfo");
      json_object_set_string_member (retry, "retryDelay", retry_delay);
      json_array_add_object_element (details, retry);
    }
  return details;
}

static guint
gemini_error_body (MockExchange  *self,
                   MockError      error,
                   const char    *detail,
                   JsonNode     **body)
{
  g_autofree char *message = NULL;

  switch (error)
    {
    case MOCK_ERROR_AUTH_MISSING:
    case MOCK_ERROR_AUTH_INVALID:
      *body = gemini_error_node (400, GEMINI_KEY_MESSAGE, "INVALID_ARGUMENT", gemini_key_details ());
      return SOUP_STATUS_BAD_REQUEST;
    case MOCK_ERROR_REGION:
      *body = gemini_error_node (400, "User location is not supported for the API use.",
                                 "FAILED_PRECONDITION", NULL);
      return SOUP_STATUS_BAD_REQUEST;
    case MOCK_ERROR_RATE_LIMIT:
    case MOCK_ERROR_FLAKY_RATE_LIMIT:
      *body = gemini_error_node (429, GEMINI_QUOTA_MESSAGE, "RESOURCE_EXHAUSTED",
                                 gemini_quota_details (self, GEMINI_PER_MINUTE_QUOTA,
                                                       error == MOCK_ERROR_RATE_LIMIT ? "1s" : "0.100s"));
      return MOCK_STATUS_TOO_MANY_REQUESTS;
    case MOCK_ERROR_QUOTA:
      *body = gemini_error_node (429, GEMINI_QUOTA_MESSAGE, "RESOURCE_EXHAUSTED",
                                 gemini_quota_details (self, GEMINI_PER_DAY_QUOTA, NULL));
      return MOCK_STATUS_TOO_MANY_REQUESTS;
    case MOCK_ERROR_NOT_FOUND:
      message = g_strdup_printf (GEMINI_NOT_FOUND_FORMAT, detail);
      *body = gemini_error_node (404, message, "NOT_FOUND", NULL);
      return SOUP_STATUS_NOT_FOUND;
    case MOCK_ERROR_BAD_REQUEST:
      *body = gemini_error_node (400, detail, "INVALID_ARGUMENT", NULL);
      return SOUP_STATUS_BAD_REQUEST;
    case MOCK_ERROR_OVERLOADED:
      *body = gemini_error_node (503, "The model is overloaded. Please try again later.",
                                 "UNAVAILABLE", NULL);
      return SOUP_STATUS_SERVICE_UNAVAILABLE;
    case MOCK_ERROR_NONE:
    case MOCK_ERROR_SERVER:
    case MOCK_ERROR_FLAKY_SERVER:
    case MOCK_ERROR_CONTENT_FILTER:
    case MOCK_ERROR_NO_RESOURCE:
    case MOCK_ERROR_INBAND:
    default:
      *body = gemini_error_node (500, GEMINI_INTERNAL_MESSAGE, "INTERNAL", NULL);
      return SOUP_STATUS_INTERNAL_SERVER_ERROR;
    }
}

static JsonObject *
gemini_model_new (const char *name,
                  gboolean    embedding)
{
  JsonObject *model = json_object_new ();
  JsonArray *methods = json_array_new ();
  g_autofree char *full_name = g_strdup_printf ("models/%s", name);
  g_autofree char *display = g_strdup_printf ("Mock %s", name);
  static const char * const chat_methods[] = { "generateContent", "countTokens", "createCachedContent",
                                               "batchGenerateContent", NULL };
  static const char * const embed_methods[] = { "embedContent", "countTextTokens", "countTokens",
                                                "asyncBatchEmbedContent", NULL };

  for (const char * const *m = embedding ? embed_methods : chat_methods; *m != NULL; m++)
    json_array_add_string_element (methods, *m);
  json_object_set_string_member (model, "name", full_name);
  json_object_set_string_member (model, "version", "001");
  json_object_set_string_member (model, "displayName", embedding ? "Gemini Embedding 001" : display);
  json_object_set_string_member (model, "description",
                                 embedding ? "Obtain a distributed representation of a text." :
                                             "A confab-mock-provider scenario");
  json_object_set_int_member (model, "inputTokenLimit", embedding ? 2048 : 1048576);
  json_object_set_int_member (model, "outputTokenLimit", embedding ? 1 : 65536);
  json_object_set_array_member (model, "supportedGenerationMethods", methods);
  if (!embedding)
    json_object_set_boolean_member (model, "thinking", TRUE);
  return model;
}

static gboolean
gemini_page_offset (GHashTable *query,
                    guint64    *offset,
                    guint64    *page_size)
{
  const char *size_text = query != NULL ? g_hash_table_lookup (query, "pageSize") : NULL;
  const char *token = query != NULL ? g_hash_table_lookup (query, "pageToken") : NULL;
  g_autofree guchar *decoded = NULL;
  g_autofree char *text = NULL;
  gsize len = 0;

  *offset = 0;
  *page_size = 50;
  if (size_text != NULL && !g_ascii_string_to_unsigned (size_text, 10, 0, G_MAXUINT32, page_size, NULL))
    return FALSE;
  if (*page_size == 0)
    *page_size = 50;
  *page_size = MIN (*page_size, 1000);
  if (token == NULL || *token == '\0')
    return TRUE;
  decoded = g_base64_decode (token, &len);
  text = g_strndup ((const char *) decoded, len);
  return g_str_has_prefix (text, "offset:") &&
         g_ascii_string_to_unsigned (text + 7, 10, 0, G_MAXUINT32, offset, NULL);
}

static void
gemini_list_models (MockExchange *self,
                    GHashTable   *query)
{
  g_autoptr(GPtrArray) names = scenario_names (self->protocol);
  g_autoptr(JsonNode) node = NULL;
  JsonObject *root;
  JsonArray *models;
  guint64 offset, page_size;

  /* An embedding model among the chat models, for clients to filter out */
  g_ptr_array_insert (names, MIN (GEMINI_EMBEDDING_INDEX, names->len), (gpointer) GEMINI_EMBEDDING_MODEL);
  if (!gemini_page_offset (query, &offset, &page_size))
    {
      node = gemini_error_node (400, "Invalid page token or page size.", "INVALID_ARGUMENT", NULL);
      exchange_respond_json (self, SOUP_STATUS_BAD_REQUEST, node);
      return;
    }
  root = json_object_new ();
  models = json_array_new ();
  for (guint64 i = offset; i < names->len && i < offset + page_size; i++)
    {
      const char *name = g_ptr_array_index (names, i);
      gboolean embedding = g_str_equal (name, GEMINI_EMBEDDING_MODEL);

      json_array_add_object_element (models, gemini_model_new (name, embedding));
    }
  json_object_set_array_member (root, "models", models);
  if (offset + page_size < names->len)
    {
      g_autofree char *next = g_strdup_printf ("offset:%" G_GUINT64_FORMAT, offset + page_size);
      g_autofree char *token = g_base64_encode ((const guchar *) next, strlen (next));

      json_object_set_string_member (root, "nextPageToken", token);
    }
  node = node_take_object (root);
  exchange_respond_json (self, SOUP_STATUS_OK, node);
}

/* ------------------------------------------------------------------------------------------ */
/* Ollama                                                                                     */
/* ------------------------------------------------------------------------------------------ */

static const char *
ollama_presented_key (SoupServerMessage *msg)
{
  return NULL;
}

static gboolean
ollama_parse (MockExchange  *self,
              JsonObject    *request,
              MockError     *error,
              char         **detail)
{
  g_autoptr(GString) all = g_string_new (NULL);
  JsonArray *messages = member_array (request, "messages");
  const char *model = member_string (request, "model");

  if (model == NULL || *model == '\0')
    return bad_request (error, detail, "model is required");
  self->model = g_strdup (model);
  self->streaming = member_boolean (request, "stream", TRUE);
  /* "think": false hides the thinking; true or a level ("high") shows it */
  self->show_reasoning = member_boolean (request, "think", TRUE);
  if (messages != NULL)
    exchange_collect_messages (self, messages, all);
  self->input_tokens = count_words (all->str);
  return TRUE;
}

static JsonObject *
ollama_line_new (MockExchange *self,
                 const char   *content,
                 const char   *thinking,
                 gboolean      done)
{
  JsonObject *line = json_object_new ();
  JsonObject *message = json_object_new ();
  g_autofree char *now = timestamp_now ();

  json_object_set_string_member (message, "role", "assistant");
  json_object_set_string_member (message, "content", content);
  if (thinking != NULL)
    json_object_set_string_member (message, "thinking", thinking);
  json_object_set_string_member (line, "model", self->model);
  json_object_set_string_member (line, "created_at", now);
  json_object_set_object_member (line, "message", message);
  json_object_set_boolean_member (line, "done", done);
  return line;
}

static void
ollama_append_line (GString    *out,
                    JsonObject *line)
{
  g_autofree char *text = object_to_string (line);

  g_string_append (out, text);
  g_string_append_c (out, '\n');
}

static void
ollama_set_stats (MockExchange *self,
                  JsonObject   *line)
{
  gint64 total = (g_get_monotonic_time () - self->started_usec) * 1000;

  json_object_set_string_member (line, "done_reason", "stop");
  json_object_set_int_member (line, "total_duration", total);
  json_object_set_int_member (line, "load_duration", total / 10);
  json_object_set_int_member (line, "prompt_eval_count", self->input_tokens);
  json_object_set_int_member (line, "prompt_eval_duration", total / 10);
  json_object_set_int_member (line, "eval_count", exchange_output_tokens (self));
  json_object_set_int_member (line, "eval_duration", total - total / 5);
}

static void
ollama_start (MockExchange *self,
              GString      *out)
{
}

static void
ollama_delta (MockExchange *self,
              MockDelta     kind,
              const char   *piece,
              GString      *out)
{
  g_autoptr(JsonObject) line = NULL;

  if (kind == MOCK_DELTA_REASONING)
    line = ollama_line_new (self, "", piece, FALSE);
  else
    line = ollama_line_new (self, piece, NULL, FALSE);
  ollama_append_line (out, line);
}

static void
ollama_finish (MockExchange *self,
               GString      *out)
{
  g_autoptr(JsonObject) line = ollama_line_new (self, "", NULL, TRUE);

  ollama_set_stats (self, line);
  ollama_append_line (out, line);
}

static void
ollama_end (MockExchange *self,
            GString      *out)
{
}

static void
ollama_error_event (MockExchange *self,
                    MockError     error,
                    GString      *out)
{
  g_autoptr(JsonNode) body = NULL;
  g_autofree char *text = NULL;

  self->klass->error_body (self, error, NULL, &body);
  text = json_to_string (body, FALSE);
  g_string_append_printf (out, "%s\n", text);
}

static JsonNode *
ollama_complete (MockExchange *self)
{
  gboolean thinking = exchange_has (self, MOCK_FLAG_REASONING) && self->show_reasoning;
  JsonObject *line = ollama_line_new (self, self->text_acc->str,
                                      thinking ? self->reasoning_acc->str : NULL, TRUE);

  ollama_set_stats (self, line);
  return node_take_object (line);
}

static JsonNode *
ollama_error_node (const char *message)
{
  JsonObject *root = json_object_new ();

  json_object_set_string_member (root, "error", message);
  return node_take_object (root);
}

static guint
ollama_error_body (MockExchange  *self,
                   MockError      error,
                   const char    *detail,
                   JsonNode     **body)
{
  g_autofree char *message = NULL;

  switch (error)
    {
    case MOCK_ERROR_AUTH_MISSING:
    case MOCK_ERROR_AUTH_INVALID:
      *body = ollama_error_node ("unauthorized");
      return SOUP_STATUS_UNAUTHORIZED;
    case MOCK_ERROR_REGION:
      *body = ollama_error_node ("this model is not available in your region");
      return SOUP_STATUS_FORBIDDEN;
    case MOCK_ERROR_RATE_LIMIT:
    case MOCK_ERROR_FLAKY_RATE_LIMIT:
      *body = ollama_error_node ("too many requests, please try again later");
      return MOCK_STATUS_TOO_MANY_REQUESTS;
    case MOCK_ERROR_QUOTA:
      *body = ollama_error_node ("you have reached your usage limit, upgrade for higher limits");
      return MOCK_STATUS_TOO_MANY_REQUESTS;
    case MOCK_ERROR_NOT_FOUND:
      message = g_strdup_printf ("model '%s' not found", detail);
      *body = ollama_error_node (message);
      return SOUP_STATUS_NOT_FOUND;
    case MOCK_ERROR_BAD_REQUEST:
      *body = ollama_error_node (detail);
      return SOUP_STATUS_BAD_REQUEST;
    case MOCK_ERROR_INBAND:
      *body = ollama_error_node ("an error was encountered while running the model: unexpected EOF");
      return SOUP_STATUS_INTERNAL_SERVER_ERROR;
    case MOCK_ERROR_NONE:
    case MOCK_ERROR_SERVER:
    case MOCK_ERROR_FLAKY_SERVER:
    case MOCK_ERROR_OVERLOADED:
    case MOCK_ERROR_CONTENT_FILTER:
    case MOCK_ERROR_NO_RESOURCE:
    default:
      *body = ollama_error_node ("llama runner process has terminated: exit status 2");
      return SOUP_STATUS_INTERNAL_SERVER_ERROR;
    }
}

static JsonObject *
ollama_tag_new (const char *name,
                guint       index)
{
  JsonObject *tag = json_object_new ();
  JsonObject *details = json_object_new ();
  JsonArray *families = json_array_new ();
  g_autofree char *full_name = g_strdup_printf ("%s:latest", name);
  g_autofree char *digest = g_compute_checksum_for_string (G_CHECKSUM_SHA256, name, -1);
  g_autofree char *modified = timestamp_from_unix (MOCK_MODELS_EPOCH - index * 86400);

  json_array_add_string_element (families, "mock");
  json_object_set_string_member (details, "parent_model", "");
  json_object_set_string_member (details, "format", "gguf");
  json_object_set_string_member (details, "family", "mock");
  json_object_set_array_member (details, "families", families);
  json_object_set_string_member (details, "parameter_size", "1B");
  json_object_set_string_member (details, "quantization_level", "Q4_K_M");
  json_object_set_string_member (tag, "name", full_name);
  json_object_set_string_member (tag, "model", full_name);
  json_object_set_string_member (tag, "modified_at", modified);
  json_object_set_int_member (tag, "size", 1000000 + index);
  json_object_set_string_member (tag, "digest", digest);
  json_object_set_object_member (tag, "details", details);
  return tag;
}

static void
ollama_list_models (MockExchange *self,
                    GHashTable   *query)
{
  g_autoptr(GPtrArray) names = scenario_names (self->protocol);
  g_autoptr(JsonNode) node = NULL;
  JsonObject *root = json_object_new ();
  JsonArray *models = json_array_new ();

  for (guint i = 0; i < names->len; i++)
    json_array_add_object_element (models, ollama_tag_new (g_ptr_array_index (names, i), i));
  json_object_set_array_member (root, "models", models);
  node = node_take_object (root);
  exchange_respond_json (self, SOUP_STATUS_OK, node);
}

/* ------------------------------------------------------------------------------------------ */
/* Protocol classes                                                                           */
/* ------------------------------------------------------------------------------------------ */

static const MockProtocolClass openai_class = {
  "openai", "text/event-stream; charset=utf-8", "\n\n", FALSE,
  openai_parse, openai_presented_key,
  openai_start, openai_delta, openai_keepalive, openai_finish, openai_end, openai_error_event,
  openai_complete, openai_error_body, openai_list_models,
};

static const MockProtocolClass azure_class = {
  "azure", "text/event-stream; charset=utf-8", "\n\n", FALSE,
  openai_parse, azure_presented_key,
  openai_start, openai_delta, openai_keepalive, openai_finish, openai_end, openai_error_event,
  openai_complete, azure_error_body, openai_list_models,
};

static const MockProtocolClass anthropic_class = {
  "anthropic", "text/event-stream; charset=utf-8", "\n\n", FALSE,
  anthropic_parse, anthropic_presented_key,
  anthropic_start, anthropic_delta, anthropic_ping, anthropic_finish, anthropic_end, anthropic_error_event,
  anthropic_complete, anthropic_error_body, anthropic_list_models,
};

static const MockProtocolClass gemini_class = {
  "gemini", "text/event-stream", "\n\n", TRUE,
  gemini_parse, gemini_presented_key,
  gemini_start, gemini_delta, NULL, gemini_finish, gemini_end, gemini_error_event,
  gemini_complete, gemini_error_body, gemini_list_models,
};

static const MockProtocolClass ollama_class = {
  "ollama", "application/x-ndjson", "\n", TRUE,
  ollama_parse, ollama_presented_key,
  ollama_start, ollama_delta, NULL, ollama_finish, ollama_end, ollama_error_event,
  ollama_complete, ollama_error_body, ollama_list_models,
};

static const MockProtocolClass *
protocol_class (MockProtocol protocol)
{
  switch (protocol)
    {
    case MOCK_PROTOCOL_AZURE:
      return &azure_class;
    case MOCK_PROTOCOL_ANTHROPIC:
      return &anthropic_class;
    case MOCK_PROTOCOL_GEMINI:
      return &gemini_class;
    case MOCK_PROTOCOL_OLLAMA:
      return &ollama_class;
    case MOCK_PROTOCOL_OPENAI:
    default:
      return &openai_class;
    }
}

/* ------------------------------------------------------------------------------------------ */
/* Responses and headers                                                                      */
/* ------------------------------------------------------------------------------------------ */

static void
exchange_set_common_headers (MockExchange *self)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (self->msg);

  switch (self->protocol)
    {
    case MOCK_PROTOCOL_OPENAI:
      soup_message_headers_replace (headers, "x-request-id", self->request_id);
      soup_message_headers_replace (headers, "openai-processing-ms", "1");
      break;
    case MOCK_PROTOCOL_AZURE:
      soup_message_headers_replace (headers, "x-request-id", self->request_id);
      soup_message_headers_replace (headers, "apim-request-id", self->request_id);
      soup_message_headers_replace (headers, "x-ms-region", "Mock Region");
      if (self->deployment != NULL)
        soup_message_headers_replace (headers, "x-ms-deployment-name", self->deployment);
      break;
    case MOCK_PROTOCOL_ANTHROPIC:
      soup_message_headers_replace (headers, "request-id", self->request_id);
      break;
    case MOCK_PROTOCOL_GEMINI:
    case MOCK_PROTOCOL_OLLAMA:
    default:
      break;
    }
}

static void
exchange_set_retry_headers (MockExchange *self,
                            MockError     error)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (self->msg);

  /* Gemini sends no retry headers: the delay is in the body's google.rpc.RetryInfo */
  if (self->protocol == MOCK_PROTOCOL_GEMINI)
    return;
  if (error == MOCK_ERROR_RATE_LIMIT)
    {
      soup_message_headers_replace (headers, "retry-after", "1");
      soup_message_headers_replace (headers, "retry-after-ms", "1000");
    }
  else if (error == MOCK_ERROR_FLAKY_RATE_LIMIT || error == MOCK_ERROR_FLAKY_SERVER)
    {
      soup_message_headers_replace (headers, "retry-after", "1");
      soup_message_headers_replace (headers, "retry-after-ms", "100");
    }
  if (self->protocol == MOCK_PROTOCOL_OPENAI && error == MOCK_ERROR_RATE_LIMIT)
    {
      soup_message_headers_replace (headers, "x-ratelimit-limit-requests", "3");
      soup_message_headers_replace (headers, "x-ratelimit-remaining-requests", "0");
      soup_message_headers_replace (headers, "x-ratelimit-reset-requests", "1s");
    }
}

/* libsoup 3.2 knows neither phrase */
static const char *
status_reason (guint status)
{
  if (status == MOCK_STATUS_TOO_MANY_REQUESTS)
    return "Too Many Requests";
  if (status == MOCK_STATUS_OVERLOADED)
    return "Overloaded";
  return NULL;
}

static void
exchange_respond_json (MockExchange *self,
                       guint         status,
                       JsonNode     *body)
{
  g_autofree char *text = json_to_string (body, FALSE);

  exchange_set_common_headers (self);
  soup_server_message_set_status (self->msg, status, status_reason (status));
  soup_server_message_set_response (self->msg, "application/json", SOUP_MEMORY_COPY, text, strlen (text));
}

static void
exchange_respond_error (MockExchange *self,
                        MockError     error,
                        const char   *detail)
{
  g_autoptr(JsonNode) body = NULL;
  guint status;

  status = self->klass->error_body (self, error, detail, &body);
  exchange_set_retry_headers (self, error);
  exchange_respond_json (self, status, body);
}

/* ------------------------------------------------------------------------------------------ */
/* Generator                                                                                  */
/* ------------------------------------------------------------------------------------------ */

static gboolean
exchange_next_piece (MockExchange *self)
{
  g_string_truncate (self->piece, 0);
  if (exchange_has (self, MOCK_FLAG_HUGE))
    {
      if (self->huge_sent >= self->param)
        return FALSE;
      huge_piece (self->huge_sent, self->param, self->piece);
      self->huge_sent += self->piece->len;
      return TRUE;
    }
  if (*self->echo_cursor == '\0')
    return FALSE;
  if (exchange_has (self, MOCK_FLAG_SLOW))
    self->echo_cursor = take_word (self->echo_cursor, self->piece);
  else
    self->echo_cursor = take_chars (self->echo_cursor, MOCK_ECHO_PIECE_CHARS, self->piece);
  return TRUE;
}

static void
exchange_emit_delta (MockExchange *self,
                     MockDelta     kind,
                     GString      *out)
{
  if (self->streaming)
    self->klass->delta (self, kind, self->piece->str, out);
  else if (kind == MOCK_DELTA_REASONING)
    g_string_append_len (self->reasoning_acc, self->piece->str, self->piece->len);
  else
    g_string_append_len (self->text_acc, self->piece->str, self->piece->len);
}

/* Reasoning is counted even when it is not shown: Gemini thinks without includeThoughts */
static gboolean
exchange_step_reasoning (MockExchange *self,
                         GString      *out)
{
  gboolean enabled = exchange_has (self, MOCK_FLAG_REASONING) &&
                     (self->show_reasoning || self->protocol == MOCK_PROTOCOL_GEMINI);

  if (!enabled || *self->reasoning_cursor == '\0')
    {
      self->phase = MOCK_PHASE_TEXT;
      return FALSE;
    }
  g_string_truncate (self->piece, 0);
  self->reasoning_cursor = take_word (self->reasoning_cursor, self->piece);
  self->n_reasoning++;
  if (self->show_reasoning)
    exchange_emit_delta (self, MOCK_DELTA_REASONING, out);
  return TRUE;
}

static gboolean
exchange_step_text (MockExchange *self,
                    GString      *out)
{
  if ((exchange_has (self, MOCK_FLAGS_SHORT) && self->n_text >= MOCK_SOME_PIECES) ||
      !exchange_next_piece (self))
    {
      self->phase = MOCK_PHASE_INTERRUPT;
      return FALSE;
    }
  if (self->streaming && exchange_has (self, MOCK_FLAG_KEEPALIVE) && self->klass->keepalive != NULL)
    self->klass->keepalive (self, out);
  self->n_text++;
  exchange_emit_delta (self, MOCK_DELTA_TEXT, out);
  return TRUE;
}

/* A text delta cut in the middle of its JSON, then the frame separator */
static void
exchange_emit_malformed (MockExchange *self,
                         GString      *out)
{
  g_autoptr(GString) frame = g_string_new (NULL);
  gsize cut;

  self->klass->delta (self, MOCK_DELTA_TEXT, "this chunk is cut off in the middle of its JSON", frame);
  cut = frame->len / 2;
  while (cut > 0 && (frame->str[cut] & 0xc0) == 0x80)
    cut--;
  g_string_append_len (out, frame->str, cut);
  g_string_append (out, self->klass->frame_end);
}

static MockPhase
exchange_step_interrupt (MockExchange *self,
                         GString      *out)
{
  if (!self->streaming)
    return MOCK_PHASE_FINISH;
  if (exchange_has (self, MOCK_FLAG_INBAND))
    {
      self->klass->error_event (self, MOCK_ERROR_INBAND, out);
      return MOCK_PHASE_DONE;
    }
  if (exchange_has (self, MOCK_FLAG_OVERLOADED))
    {
      self->klass->error_event (self, MOCK_ERROR_OVERLOADED, out);
      return MOCK_PHASE_DONE;
    }
  if (exchange_has (self, MOCK_FLAG_MALFORMED))
    exchange_emit_malformed (self, out);
  if (exchange_has (self, MOCK_FLAG_DROP))
    {
      /* One more piece, which the transport cuts in the middle of its HTTP chunk */
      if (exchange_next_piece (self))
        exchange_emit_delta (self, MOCK_DELTA_TEXT, out);
      return MOCK_PHASE_DROPPED;
    }
  return MOCK_PHASE_FINISH;
}

/* The whole non-streaming body, in its scenario's shape */
static void
exchange_append_body (MockExchange *self,
                      GString      *out)
{
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *text = NULL;

  if (exchange_has (self, MOCK_FLAG_INBAND))
    self->klass->error_body (self, MOCK_ERROR_INBAND, NULL, &node);
  else
    node = self->klass->complete (self);
  text = json_to_string (node, FALSE);
  /* DeepSeek sends blank lines while a non-streaming request waits */
  if (exchange_has (self, MOCK_FLAG_KEEPALIVE) && (self->protocol & MOCK_OPENAI_LIKE))
    g_string_append (out, "\n\n");
  if (exchange_has (self, MOCK_FLAG_MALFORMED))
    g_string_append_len (out, text, strlen (text) / 2);
  else
    g_string_append (out, text);
}

static void
exchange_step_finish (MockExchange *self,
                      GString      *out)
{
  gboolean no_stop = exchange_has (self, MOCK_FLAG_NO_STOP);

  if (self->streaming && !(no_stop && self->klass->finish_is_terminator))
    self->klass->finish (self, out);
  self->phase = MOCK_PHASE_END;
}

static void
exchange_step_end (MockExchange *self,
                   GString      *out)
{
  if (!self->streaming)
    exchange_append_body (self, out);
  else if (!exchange_has (self, MOCK_FLAG_NO_STOP))
    self->klass->end (self, out);
  self->phase = MOCK_PHASE_DONE;
}

/* Runs one step of the reply into @out; returns TRUE when the step was a paced piece */
static gboolean
exchange_produce (MockExchange *self,
                  GString      *out)
{
  switch (self->phase)
    {
    case MOCK_PHASE_START:
      if (self->streaming)
        self->klass->start (self, out);
      self->phase = exchange_has (self, MOCK_FLAG_OVERLOADED) ? MOCK_PHASE_INTERRUPT : MOCK_PHASE_REASONING;
      return FALSE;
    case MOCK_PHASE_REASONING:
      return exchange_step_reasoning (self, out);
    case MOCK_PHASE_TEXT:
      return exchange_step_text (self, out);
    case MOCK_PHASE_INTERRUPT:
      self->phase = exchange_step_interrupt (self, out);
      return FALSE;
    case MOCK_PHASE_FINISH:
      exchange_step_finish (self, out);
      return FALSE;
    case MOCK_PHASE_END:
      exchange_step_end (self, out);
      return FALSE;
    case MOCK_PHASE_DONE:
    case MOCK_PHASE_DROPPED:
    default:
      return FALSE;
    }
}

static gboolean
exchange_is_over (MockExchange *self)
{
  return self->phase == MOCK_PHASE_DONE || self->phase == MOCK_PHASE_DROPPED;
}

/* ------------------------------------------------------------------------------------------ */
/* Transport                                                                                  */
/* ------------------------------------------------------------------------------------------ */

/* The drop scenario writes its response by hand on a stolen connection, so that it can end it
 * in the middle of the body, which SoupServer never does. */
static void
exchange_append_head (MockExchange *self,
                      GString      *head,
                      gssize        content_length)
{
  SoupMessageHeadersIter iter;
  const char *name, *value;

  g_string_append (head, "HTTP/1.1 200 OK\r\n");
  soup_message_headers_iter_init (&iter, soup_server_message_get_response_headers (self->msg));
  while (soup_message_headers_iter_next (&iter, &name, &value))
    if (g_ascii_strcasecmp (name, "Transfer-Encoding") != 0 &&
        g_ascii_strcasecmp (name, "Content-Length") != 0)
      g_string_append_printf (head, "%s: %s\r\n", name, value);
  /* No "Connection: close": some clients (undici) take EOF as the end of such a body */
  if (content_length >= 0)
    g_string_append_printf (head, "Content-Length: %" G_GSSIZE_FORMAT "\r\n\r\n", content_length);
  else
    g_string_append (head, "Transfer-Encoding: chunked\r\n\r\n");
}

static gboolean
exchange_write_stolen (MockExchange *self,
                       const char   *data,
                       gsize         len)
{
  GOutputStream *output = g_io_stream_get_output_stream (self->stolen);
  g_autoptr(GString) frame = g_string_new (NULL);
  /* The last write is cut: a chunk shorter than announced, or a body shorter than its length */
  gboolean cut = !self->streaming || self->phase == MOCK_PHASE_DROPPED;

  if (!self->head_written)
    exchange_append_head (self, frame, self->streaming ? -1 : (gssize) len);
  self->head_written = TRUE;
  if (self->streaming)
    g_string_append_printf (frame, "%" G_GSIZE_MODIFIER "x\r\n", len);
  g_string_append_len (frame, data, cut ? len / 2 : len);
  if (!cut)
    g_string_append (frame, "\r\n");
  return g_output_stream_write_all (output, frame->str, frame->len, NULL, NULL, NULL) &&
         g_output_stream_flush (output, NULL, NULL);
}

static gboolean
exchange_write (MockExchange *self,
                const char   *data,
                gsize         len)
{
  SoupMessageBody *body;

  if (self->stolen != NULL)
    return exchange_write_stolen (self, data, len);
  body = soup_server_message_get_response_body (self->msg);
  soup_message_body_append (body, SOUP_MEMORY_COPY, data, len);
  if (self->streaming || exchange_has (self, MOCK_FLAG_TRICKLE))
    soup_server_message_unpause (self->msg);
  return TRUE;
}

/* Ends the reply; a stolen connection is cut, and that ends the exchange too */
static void
exchange_complete (MockExchange *self)
{
  SoupMessageHeaders *headers;
  SoupMessageBody *body;

  if (self->stolen != NULL)
    {
      mock_exchange_free (self);
      return;
    }
  body = soup_server_message_get_response_body (self->msg);
  headers = soup_server_message_get_response_headers (self->msg);
  if (!self->streaming && !exchange_has (self, MOCK_FLAG_TRICKLE))
    soup_message_headers_set_content_length (headers, body->length);
  soup_message_body_complete (body);
  soup_server_message_unpause (self->msg);
}

static gboolean
exchange_pump_cb (gpointer user_data)
{
  MockExchange *self = user_data;

  self->timeout_id = 0;
  exchange_pump (self);
  return G_SOURCE_REMOVE;
}

static void
exchange_schedule (MockExchange *self,
                   gboolean      wrote)
{
  if (self->interval_ms > 0)
    self->timeout_id = g_timeout_add (self->interval_ms, exchange_pump_cb, self);
  else if (wrote && self->stolen == NULL)
    self->awaiting_chunk = TRUE;   /* as fast as the socket takes it: see wrote-chunk */
  else
    self->timeout_id = g_idle_add (exchange_pump_cb, self);
}

static void
exchange_pump (MockExchange *self)
{
  g_autoptr(GString) out = g_string_new (NULL);
  gboolean paced = FALSE;

  while (!paced && !exchange_is_over (self))
    paced = exchange_produce (self, out);

  if (out->len > 0 && !exchange_write (self, out->str, out->len))
    {
      mock_exchange_free (self);   /* the client went away from a stolen connection */
      return;
    }
  if (exchange_is_over (self))
    exchange_complete (self);
  else
    exchange_schedule (self, out->len > 0 && self->streaming);
}

static gboolean
exchange_trickle_cb (gpointer user_data)
{
  MockExchange *self = user_data;

  if (self->pending_pos >= self->pending->len)
    {
      g_string_truncate (self->pending, 0);
      self->pending_pos = 0;
      while (self->pending->len == 0 && !exchange_is_over (self))
        exchange_produce (self, self->pending);
    }
  if (self->pending->len == 0)
    {
      self->timeout_id = 0;
      exchange_complete (self);
      return G_SOURCE_REMOVE;
    }
  exchange_write (self, self->pending->str + self->pending_pos++, 1);
  return G_SOURCE_CONTINUE;
}

static void
exchange_finished_cb (SoupServerMessage *msg,
                      gpointer           user_data)
{
  mock_exchange_free (user_data);
}

static void
exchange_wrote_chunk_cb (SoupServerMessage *msg,
                         gpointer           user_data)
{
  MockExchange *self = user_data;

  if (!self->awaiting_chunk)
    return;
  self->awaiting_chunk = FALSE;
  exchange_pump (self);
}

static void
exchange_steal (MockExchange *self)
{
  g_clear_signal_handler (&self->finished_id, self->msg);
  g_clear_signal_handler (&self->wrote_chunk_id, self->msg);
  self->stolen = soup_server_message_steal_connection (self->msg);
}

static void
exchange_prepare_response (MockExchange *self)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (self->msg);
  gboolean chunked = self->streaming || exchange_has (self, MOCK_FLAG_TRICKLE);

  exchange_set_common_headers (self);
  soup_server_message_set_status (self->msg, SOUP_STATUS_OK, NULL);
  if (self->streaming)
    {
      soup_message_headers_replace (headers, "Content-Type", self->klass->stream_content_type);
      if (self->protocol != MOCK_PROTOCOL_OLLAMA)
        soup_message_headers_replace (headers, "Cache-Control", "no-cache");
    }
  else
    soup_message_headers_replace (headers, "Content-Type", "application/json");
  if (chunked)
    {
      soup_message_headers_set_encoding (headers, SOUP_ENCODING_CHUNKED);
      soup_message_body_set_accumulate (soup_server_message_get_response_body (self->msg), FALSE);
    }
}

static void
exchange_start (MockExchange *self)
{
  g_hash_table_add (self->server->exchanges, self);
  self->echo_cursor = self->echo != NULL ? self->echo : "";
  self->interval_ms = exchange_has (self, MOCK_FLAG_SLOW) ? (guint) self->param :
                      exchange_has (self, MOCK_FLAG_HUGE) ? 0 : MOCK_ECHO_INTERVAL_MS;

  if (exchange_has (self, MOCK_FLAG_HANG))
    {
      soup_server_message_pause (self->msg);   /* never answered */
      return;
    }
  exchange_prepare_response (self);
  self->finished_id = g_signal_connect (self->msg, "finished",
                                       G_CALLBACK (exchange_finished_cb), self);
  self->wrote_chunk_id = g_signal_connect (self->msg, "wrote-chunk",
                                          G_CALLBACK (exchange_wrote_chunk_cb), self);

  if (exchange_has (self, MOCK_FLAG_DROP))
    exchange_steal (self);
  else if (!self->streaming && !exchange_has (self, MOCK_FLAG_TRICKLE))
    soup_server_message_pause (self->msg);   /* answered in one piece at the end */

  if (exchange_has (self, MOCK_FLAG_TRICKLE))
    self->timeout_id = g_timeout_add (MOCK_TRICKLE_INTERVAL_MS, exchange_trickle_cb, self);
  else
    self->timeout_id = g_idle_add (exchange_pump_cb, self);
}

/* ------------------------------------------------------------------------------------------ */
/* Request handling                                                                           */
/* ------------------------------------------------------------------------------------------ */

static gboolean
exchange_check_route (MockExchange  *self,
                      GHashTable    *query,
                      MockError     *error,
                      char         **detail)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (self->msg);

  if (self->protocol == MOCK_PROTOCOL_AZURE && self->deployment != NULL &&
      (query == NULL || g_hash_table_lookup (query, "api-version") == NULL))
    {
      *error = MOCK_ERROR_NO_RESOURCE;
      return FALSE;
    }
  if (self->protocol == MOCK_PROTOCOL_ANTHROPIC &&
      soup_message_headers_get_one (headers, "anthropic-version") == NULL)
    return bad_request (error, detail, "anthropic-version: header is required");
  return TRUE;
}

static gboolean
exchange_check_key (MockExchange *self,
                    MockError    *error)
{
  const char *key;

  if (self->protocol == MOCK_PROTOCOL_OLLAMA)
    return TRUE;
  key = self->klass->presented_key (self->msg);
  if (key == NULL || *key == '\0')
    *error = MOCK_ERROR_AUTH_MISSING;
  else if (self->server->key != NULL && !g_str_equal (key, self->server->key))
    *error = MOCK_ERROR_AUTH_INVALID;
  else
    return TRUE;
  return FALSE;
}

static gboolean
exchange_parse (MockExchange  *self,
                MockError     *error,
                char         **detail)
{
  g_autoptr(GBytes) bytes = soup_message_body_flatten (soup_server_message_get_request_body (self->msg));
  g_autoptr(JsonParser) parser = json_parser_new ();
  gsize len = 0;
  const char *data = g_bytes_get_data (bytes, &len);
  JsonNode *root;

  if (len == 0 || !json_parser_load_from_data (parser, data, len, NULL) ||
      !JSON_NODE_HOLDS_OBJECT (root = json_parser_get_root (parser)))
    return bad_request (error, detail, "We could not parse the JSON body of your request. "
                        "The request body must be a JSON object.");
  return self->klass->parse (self, json_node_get_object (root), error, detail);
}

/* Whether a flaky scenario already failed once for this text */
static gboolean
exchange_flaky_seen (MockExchange *self)
{
  g_autofree char *key = g_strdup_printf ("%s\n%s\n%s", self->klass->name, self->scenario->name,
                                          self->echo != NULL ? self->echo : "");

  if (g_hash_table_contains (self->server->flaky_seen, key))
    return TRUE;
  g_hash_table_add (self->server->flaky_seen, g_steal_pointer (&key));
  return FALSE;
}

static gboolean
exchange_resolve_scenario (MockExchange  *self,
                           MockError     *error,
                           char         **detail)
{
  g_autofree char *name = g_strdup (self->model);

  /* Ollama names carry a tag */
  if (self->protocol == MOCK_PROTOCOL_OLLAMA && g_str_has_suffix (name, ":latest"))
    name[strlen (name) - strlen (":latest")] = '\0';
  self->scenario = scenario_lookup (name, self->protocol, &self->param);
  if (self->scenario == NULL)
    {
      *error = MOCK_ERROR_NOT_FOUND;
      *detail = g_strdup (self->model);
      return FALSE;
    }
  if (exchange_has (self, MOCK_FLAG_FLAKY) && exchange_flaky_seen (self))
    return TRUE;
  *error = self->scenario->error;
  if (*error == MOCK_ERROR_NONE && exchange_has (self, MOCK_FLAG_OVERLOADED) && !self->streaming)
    *error = MOCK_ERROR_OVERLOADED;
  return *error == MOCK_ERROR_NONE;
}

static void
mock_server_handle_chat (MockServer        *server,
                         SoupServerMessage *msg,
                         const MockRoute   *route,
                         GHashTable        *query)
{
  MockExchange *self = mock_exchange_new (server, msg, route);
  MockError error = MOCK_ERROR_NONE;
  g_autofree char *detail = NULL;

  if (!exchange_check_route (self, query, &error, &detail) ||
      !exchange_check_key (self, &error) ||
      !exchange_parse (self, &error, &detail) ||
      !exchange_resolve_scenario (self, &error, &detail))
    {
      exchange_respond_error (self, error, detail);
      mock_exchange_free (self);
      return;
    }
  exchange_start (self);
}

static void
mock_server_handle_models (MockServer        *server,
                           SoupServerMessage *msg,
                           const MockRoute   *route,
                           GHashTable        *query)
{
  MockExchange *self = mock_exchange_new (server, msg, route);
  MockError error = MOCK_ERROR_NONE;

  if (!exchange_check_key (self, &error))
    exchange_respond_error (self, error, NULL);
  else
    self->klass->list_models (self, query);
  mock_exchange_free (self);
}

/* ------------------------------------------------------------------------------------------ */
/* Routing                                                                                    */
/* ------------------------------------------------------------------------------------------ */

/* "/openai/deployments/{deployment}/chat/completions" */
static char *
azure_deployment_from_path (const char *path)
{
  const char *start = path + strlen ("/openai/deployments/");
  const char *slash = strchr (start, '/');

  if (slash == NULL || slash == start || !g_str_equal (slash, "/chat/completions"))
    return NULL;
  return g_strndup (start, slash - start);
}

/* "/v1beta/models/{model}:streamGenerateContent" and ":generateContent" */
static gboolean
gemini_route (const char *path,
              MockRoute  *route)
{
  const char *models = strstr (path, "/models/");
  const char *colon;

  if (models == NULL)
    return FALSE;
  models += strlen ("/models/");
  colon = strchr (models, ':');
  if (colon == NULL || colon == models)
    return FALSE;
  if (g_str_equal (colon, ":streamGenerateContent"))
    route->streaming = TRUE;
  else if (!g_str_equal (colon, ":generateContent"))
    return FALSE;
  route->kind = MOCK_ROUTE_CHAT;
  route->protocol = MOCK_PROTOCOL_GEMINI;
  route->path_model = g_strndup (models, colon - models);
  return TRUE;
}

static void
route_post (const char *path,
            MockRoute  *route)
{
  route->kind = MOCK_ROUTE_CHAT;
  if (g_str_has_prefix (path, "/openai/deployments/") &&
      (route->path_model = azure_deployment_from_path (path)) != NULL)
    route->protocol = MOCK_PROTOCOL_AZURE;
  else if (g_str_equal (path, "/openai/v1/chat/completions"))
    route->protocol = MOCK_PROTOCOL_AZURE;
  else if (g_str_has_suffix (path, "/chat/completions"))
    route->protocol = MOCK_PROTOCOL_OPENAI;
  else if (g_str_has_suffix (path, "/messages"))
    route->protocol = MOCK_PROTOCOL_ANTHROPIC;
  else if (g_str_equal (path, "/api/chat"))
    route->protocol = MOCK_PROTOCOL_OLLAMA;
  else if (!gemini_route (path, route))
    route->kind = MOCK_ROUTE_NONE;
}

static void
route_get (SoupServerMessage *msg,
           const char        *path,
           GHashTable        *query,
           MockRoute         *route)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);

  route->kind = MOCK_ROUTE_MODELS;
  if (g_str_equal (path, "/api/tags"))
    route->protocol = MOCK_PROTOCOL_OLLAMA;
  else if (g_str_equal (path, "/api/version"))
    route->kind = MOCK_ROUTE_OLLAMA_VERSION;
  else if (!g_str_has_suffix (path, "/models"))
    route->kind = MOCK_ROUTE_NONE;
  else if (soup_message_headers_get_one (headers, "anthropic-version") != NULL)
    route->protocol = MOCK_PROTOCOL_ANTHROPIC;
  else if (g_str_has_suffix (path, "/v1beta/models") ||
           soup_message_headers_get_one (headers, "x-goog-api-key") != NULL ||
           (query != NULL && g_hash_table_contains (query, "key")))
    route->protocol = MOCK_PROTOCOL_GEMINI;
  else if (g_str_has_prefix (path, "/openai/"))
    route->protocol = MOCK_PROTOCOL_AZURE;
  else
    route->protocol = MOCK_PROTOCOL_OPENAI;
}

static void
respond_no_route (SoupServerMessage *msg,
                  const char        *path)
{
  g_autofree char *message = g_strdup_printf ("Invalid URL (%s %s)",
                                              soup_server_message_get_method (msg), path);
  g_autoptr(JsonNode) body = openai_error_node (message, "invalid_request_error", NULL, NULL);
  g_autofree char *text = json_to_string (body, FALSE);

  soup_server_message_set_status (msg, SOUP_STATUS_NOT_FOUND, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY, text, strlen (text));
}

static void
respond_ollama_version (SoupServerMessage *msg)
{
  static const char body[] = "{\"version\":\"0.12.0\"}";

  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_STATIC, body, strlen (body));
}

static void
mock_server_callback (SoupServer        *soup,
                      SoupServerMessage *msg,
                      const char        *path,
                      GHashTable        *query,
                      gpointer           user_data)
{
  MockServer *server = user_data;
  const char *method = soup_server_message_get_method (msg);
  MockRoute route = { MOCK_ROUTE_NONE, MOCK_PROTOCOL_OPENAI, NULL, FALSE };

  mock_server_record (server, msg, path, query);
  if (g_str_equal (method, "POST"))
    route_post (path, &route);
  else if (g_str_equal (method, "GET"))
    route_get (msg, path, query, &route);

  switch (route.kind)
    {
    case MOCK_ROUTE_CHAT:
      mock_server_handle_chat (server, msg, &route, query);
      break;
    case MOCK_ROUTE_MODELS:
      mock_server_handle_models (server, msg, &route, query);
      break;
    case MOCK_ROUTE_OLLAMA_VERSION:
      respond_ollama_version (msg);
      break;
    case MOCK_ROUTE_NONE:
    default:
      respond_no_route (msg, path);
      break;
    }
  g_free (route.path_model);
}

/* ------------------------------------------------------------------------------------------ */
/* Server                                                                                     */
/* ------------------------------------------------------------------------------------------ */

static gboolean
mock_server_open_record (MockServer  *server,
                         const char  *path,
                         GError     **error)
{
  g_autoptr(GFile) file = g_file_new_for_commandline_arg (path);
  GFileOutputStream *stream = g_file_append_to (file, G_FILE_CREATE_NONE, NULL, error);

  if (stream == NULL)
    return FALSE;
  server->record = G_OUTPUT_STREAM (stream);
  return TRUE;
}

/* The port actually bound; not soup_server_get_uris(), which leaks an address in libsoup 3.2 */
static guint16
mock_server_get_port (MockServer *server)
{
  g_autoptr(GSList) listeners = soup_server_get_listeners (server->soup);
  g_autoptr(GSocketAddress) address = NULL;

  if (listeners == NULL)
    return 0;
  address = g_socket_get_local_address (listeners->data, NULL);
  return address != NULL ? g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (address)) : 0;
}

static gboolean
mock_server_listen (MockServer  *server,
                    const char  *host,
                    int          port,
                    GError     **error)
{
  g_autoptr(GInetAddress) address = g_inet_address_new_from_string (host);
  g_autoptr(GSocketAddress) socket_address = NULL;

  if (address == NULL || port < 0 || port > G_MAXUINT16)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "--host must be a numeric IP address and --port within 0-65535");
      return FALSE;
    }
  socket_address = g_inet_socket_address_new (address, port);
  if (!soup_server_listen (server->soup, socket_address, 0, error))
    return FALSE;

  if (g_inet_address_get_family (address) == G_SOCKET_FAMILY_IPV6)
    g_print ("http://[%s]:%u\n", host, mock_server_get_port (server));
  else
    g_print ("http://%s:%u\n", host, mock_server_get_port (server));
  fflush (stdout);
  return TRUE;
}

static gboolean
mock_server_quit_cb (gpointer user_data)
{
  MockServer *server = user_data;

  g_main_loop_quit (server->loop);
  return G_SOURCE_CONTINUE;
}

static void
mock_server_clear (MockServer *server)
{
  g_autoptr(GList) live = g_hash_table_get_keys (server->exchanges);

  for (GList *l = live; l != NULL; l = l->next)
    mock_exchange_free (l->data);
  if (server->soup != NULL)
    soup_server_disconnect (server->soup);
  g_clear_object (&server->soup);
  if (server->record != NULL)
    g_output_stream_close (server->record, NULL, NULL);
  g_clear_object (&server->record);
  g_clear_pointer (&server->flaky_seen, g_hash_table_unref);
  g_clear_pointer (&server->exchanges, g_hash_table_unref);
  g_clear_pointer (&server->loop, g_main_loop_unref);
  g_clear_pointer (&server->key, g_free);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *host = NULL;
  g_autofree char *record = NULL;
  MockServer server = { 0 };
  int port = 0;
  GOptionEntry entries[] = {
    { "port", 0, 0, G_OPTION_ARG_INT, &port, "Port to listen on (0: any free port)", "PORT" },
    { "host", 0, 0, G_OPTION_ARG_STRING, &host, "Address to listen on (default 127.0.0.1)", "ADDRESS" },
    { "key", 0, 0, G_OPTION_ARG_STRING, &server.key, "Accept only this API key", "KEY" },
    { "record", 0, 0, G_OPTION_ARG_FILENAME, &record, "Append every request as a JSON line", "FILE" },
    { NULL }
  };

  context = g_option_context_new ("- mock LLM provider for Confab's tests");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("confab-mock-provider: %s\n", error->message);
      g_free (server.key);
      return 2;
    }

  server.loop = g_main_loop_new (NULL, FALSE);
  server.flaky_seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  server.exchanges = g_hash_table_new (NULL, NULL);
  server.soup = soup_server_new ("server-header", "confab-mock-provider ", NULL);
  soup_server_add_handler (server.soup, NULL, mock_server_callback, &server, NULL);

  if ((record != NULL && !mock_server_open_record (&server, record, &error)) ||
      !mock_server_listen (&server, host != NULL ? host : "127.0.0.1", port, &error))
    {
      g_printerr ("confab-mock-provider: %s\n", error->message);
      mock_server_clear (&server);
      return 1;
    }

  g_unix_signal_add (SIGTERM, mock_server_quit_cb, &server);
  g_unix_signal_add (SIGINT, mock_server_quit_cb, &server);
  g_main_loop_run (server.loop);
  mock_server_clear (&server);
  return 0;
}
