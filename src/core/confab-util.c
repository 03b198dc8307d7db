/* confab-util.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <gio/gio.h>
#include <glib/gi18n-lib.h>
#include <string.h>

#include "confab-util.h"

/* g_set_str() arrived in GLib 2.76; Debian 12 has 2.74. */
gboolean
confab_set_str (char       **str_pointer,
                const char  *new_str)
{
  char *copy;

  if (*str_pointer == new_str || g_strcmp0 (*str_pointer, new_str) == 0)
    return FALSE;

  copy = g_strdup (new_str);
  g_free (*str_pointer);
  *str_pointer = copy;

  return TRUE;
}

/* Stream events and deltas are scanned eight bytes at a time for the few
 * bytes that matter, as these tests on a 64-bit word tell whether any of
 * its bytes is one of them. */
#define WORD_ONES  G_GUINT64_CONSTANT (0x0101010101010101)
#define WORD_HIGHS G_GUINT64_CONSTANT (0x8080808080808080)

/* Whether a byte of @word is below @n, for @n up to 0x80 */
static inline gboolean
word_has_byte_below (guint64 word,
                     guchar  n)
{
  return ((word - WORD_ONES * n) & ~word & WORD_HIGHS) != 0;
}

static inline gboolean
word_has_byte (guint64 word,
               guchar  c)
{
  return word_has_byte_below (word ^ (WORD_ONES * c), 1);
}

/* The controls, the quote, the backslash and DEL */
static inline gboolean
json_needs_escape (guchar c)
{
  return c < 0x20 || c == '"' || c == '\\' || c == 0x7f;
}

/* The first byte from @p on that confab_json_escape_append() escapes, or
 * @end. */
static const char *
find_json_escape (const char *p,
                  const char *end)
{
  while (end - p >= 8)
    {
      guint64 word;

      memcpy (&word, p, sizeof word);
      if (word_has_byte_below (word, 0x20) || word_has_byte (word, '"') ||
          word_has_byte (word, '\\') || word_has_byte (word, 0x7f))
        break;
      p += 8;
    }
  while (p < end && !json_needs_escape (*p))
    p++;
  return p;
}

/* Appends @str as a JSON string literal, quotes included. Used on the
 * per-delta path of confab-cli --events, where building a JsonNode per
 * event would cost more than the event itself. */
void
confab_json_escape_append (GString    *out,
                           const char *str,
                           gssize      len)
{
  static const char hex[] = "0123456789abcdef";
  const char *end;
  const char *run;

  if (len < 0)
    len = strlen (str);
  end = str + len;

  g_string_append_c (out, '"');
  run = str;
  for (const char *p = find_json_escape (str, end); p < end; p = find_json_escape (run, end))
    {
      guchar c = *p;
      const char *escape = NULL;

      g_string_append_len (out, run, p - run);
      run = p + 1;
      switch (c)
        {
        case '"': escape = "\\\""; break;
        case '\\': escape = "\\\\"; break;
        case '\n': escape = "\\n"; break;
        case '\r': escape = "\\r"; break;
        case '\t': escape = "\\t"; break;
        default:
          g_string_append (out, "\\u00");
          g_string_append_c (out, hex[c >> 4]);
          g_string_append_c (out, hex[c & 0xf]);
          break;
        }
      if (escape != NULL)
        g_string_append (out, escape);
    }
  g_string_append_len (out, run, end - run);
  g_string_append_c (out, '"');
}

/* 16 lowercase hex digits: short enough to type, random enough that
 * conversations and accounts from different machines never collide. */
char *
confab_new_id (void)
{
  return g_strdup_printf ("%08x%08x", g_random_int (), g_random_int ());
}

gboolean
confab_str_is_blank (const char *str)
{
  if (str == NULL)
    return TRUE;
  for (; *str != '\0'; str++)
    if (!g_ascii_isspace (*str))
      return FALSE;
  return TRUE;
}

static gboolean
is_hex4 (const char *p,
         const char *end,
         gunichar   *value)
{
  *value = 0;
  if (end - p < 4)
    return FALSE;
  for (guint i = 0; i < 4; i++)
    {
      if (!g_ascii_isxdigit (p[i]))
        return FALSE;
      *value = *value << 4 | g_ascii_xdigit_value (p[i]);
    }
  return TRUE;
}

/* Length of the escape at @p (just after its backslash), or 0 when JSON
 * does not allow it: json-glib's scanner takes C's octal and other
 * escapes too ("\600" became a lone 0x80 byte) and lone UTF-16 surrogates,
 * both of which make strings that are not UTF-8. */
static gsize
escape_length (const char *p,
               const char *end)
{
  gunichar unit, low;

  if (p >= end)
    return 0;
  if (strchr ("\"\\/bfnrt", *p) != NULL && *p != '\0')
    return 1;
  if (*p != 'u' || !is_hex4 (p + 1, end, &unit))
    return 0;
  if (unit >= 0xDC00 && unit <= 0xDFFF)
    return 0;
  if (unit < 0xD800 || unit > 0xDBFF)
    return 5;
  if (end - p < 11 || p[5] != '\\' || p[6] != 'u' || !is_hex4 (p + 7, end, &low) ||
      low < 0xDC00 || low > 0xDFFF)
    return 0;
  return 11;
}

static gboolean
invalid_json (GError     **error,
              const char  *what)
{
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s", what);
  return FALSE;
}

/**
 * confab_string_reset:
 * @string: the string to empty
 * @keep: the most memory to keep allocated
 *
 * Empties *@string for reuse, and gives its memory back when a big text
 * (a huge reply, a long event) left more than @keep allocated.
 */
void
confab_string_reset (GString **string,
                     gsize     keep)
{
  g_return_if_fail (string != NULL && *string != NULL);

  if ((*string)->allocated_len > keep)
    {
      g_string_free (*string, TRUE);
      *string = g_string_new (NULL);
    }
  else
    {
      g_string_truncate (*string, 0);
    }
}

/**
 * confab_utf8_validate:
 * @allow_nul: whether NUL bytes count as valid
 *
 * Whether @str is well-formed UTF-8. This runs over every stream event, so
 * ASCII is checked eight bytes at a time and only multi-byte sequences one
 * by one: several times fewer instructions than g_utf8_validate(), which
 * dominated decoding.
 */
gboolean
confab_utf8_validate (const char *str,
                      gsize       len,
                      gboolean    allow_nul)
{
  const guchar *p = (const guchar *) str;
  const guchar *end = p + len;

  while (p < end)
    {
      guchar lead;
      guchar lo = 0x80, hi = 0xBF;
      guint n;

      while (end - p >= 8)
        {
          guint64 word;

          memcpy (&word, p, sizeof word);
          if ((word & WORD_HIGHS) != 0 || (!allow_nul && word_has_byte (word, '\0')))
            break;
          p += 8;
        }
      for (; p < end && *p < 0x80; p++)
        if (*p == '\0' && !allow_nul)
          return FALSE;
      if (p == end)
        break;

      lead = *p;
      if (lead >= 0xC2 && lead <= 0xDF)
        n = 1;
      else if (lead >= 0xE0 && lead <= 0xEF)
        {
          n = 2;
          if (lead == 0xE0)
            lo = 0xA0;
          else if (lead == 0xED)
            hi = 0x9F;
        }
      else if (lead >= 0xF0 && lead <= 0xF4)
        {
          n = 3;
          if (lead == 0xF0)
            lo = 0x90;
          else if (lead == 0xF4)
            hi = 0x8F;
        }
      else
        return FALSE;

      if ((gsize) (end - p) <= n || p[1] < lo || p[1] > hi)
        return FALSE;
      for (guint i = 2; i <= n; i++)
        if ((p[i] & 0xC0) != 0x80)
          return FALSE;
      p += n + 1;
    }

  return TRUE;
}

/* The first quote or backslash from @p on, or @end */
static const char *
find_quote_or_backslash (const char *p,
                         const char *end)
{
  while (end - p >= 8)
    {
      guint64 word;

      memcpy (&word, p, sizeof word);
      if (word_has_byte (word, '"') || word_has_byte (word, '\\'))
        break;
      p += 8;
    }
  while (p < end && *p != '"' && *p != '\\')
    p++;
  return p;
}

/* What json-glib 1.6 should refuse and does not, checked before it sees
 * an untrusted document:
 * - nesting: it parses recursively with no limit, so 100,000 "[" in a
 *   stream event, an error body or a file overflowed the stack;
 * - bytes and escapes that give strings which are not UTF-8 (a GtkLabel
 *   or a GtkTextBuffer refuses those).
 * All found by fuzzing (tests/fuzz/) and the fault tests. The rest of the
 * syntax is left to json-glib, which reports it. */
gboolean
confab_json_check (const char  *data,
                   gssize       len,
                   GError     **error)
{
  const char *end;
  guint depth = 0;
  gboolean in_string = FALSE;

  g_return_val_if_fail (data != NULL || len == 0, FALSE);

  if (len < 0)
    len = strlen (data);
  end = data + len;
  if (!confab_utf8_validate (data, len, FALSE))
    return invalid_json (error, _("JSON that is not UTF-8 text"));

  for (const char *p = data; p < end; p++)
    {
      if (in_string)
        {
          /* Most of a stream event is the text inside its strings. */
          p = find_quote_or_backslash (p, end);
          if (p == end)
            break;
          if (*p == '\\')
            {
              gsize escape = escape_length (p + 1, end);

              if (escape == 0)
                return invalid_json (error, _("JSON with an invalid escape sequence"));
              p += escape;
            }
          else if (*p == '"')
            in_string = FALSE;
          continue;
        }

      switch (*p)
        {
        case '"':
          in_string = TRUE;
          break;
        case '[':
        case '{':
          if (++depth > CONFAB_JSON_MAX_DEPTH)
            {
              g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           _("JSON nested more than %u levels deep"), CONFAB_JSON_MAX_DEPTH);
              return FALSE;
            }
          break;
        case ']':
        case '}':
          if (depth > 0)
            depth--;
          break;
        default:
          break;
        }
    }
  return TRUE;
}

/* json_parser_load_from_data() for documents from the network or from
 * files: confab_json_check() first, and json-glib's error message, which
 * quotes single bytes of the input, is made valid UTF-8 before it can
 * reach a label or a terminal (both found by fuzzing). */
gboolean
confab_json_parser_load (JsonParser  *parser,
                         const char  *data,
                         gssize       len,
                         GError     **error)
{
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (JSON_IS_PARSER (parser), FALSE);

  if (confab_json_check (data, len, &local_error) &&
      json_parser_load_from_data (parser, data, len, &local_error))
    return TRUE;

  if (!g_utf8_validate (local_error->message, -1, NULL))
    {
      char *valid = g_utf8_make_valid (local_error->message, -1);

      g_free (local_error->message);
      local_error->message = valid;
    }
  g_propagate_error (error, g_steal_pointer (&local_error));
  return FALSE;
}
