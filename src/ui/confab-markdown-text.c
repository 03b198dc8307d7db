/* confab-markdown-text.c: turning untrusted model output into inert text
 *
 * Model output is data. Everything shown goes through here first: Pango
 * markup characters are escaped, control characters become visible
 * symbols (an ANSI escape shows as ␛[31m, not as a colour), and the
 * invisible characters that can make text or a link target look like
 * something else (bidirectional overrides, Unicode tag characters) are
 * removed from prose, made visible in code and percent-encoded in URIs.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "confab-markdown-text.h"

typedef enum
{
  MODE_MARKUP,  /* prose for Pango markup: escaped, overrides dropped */
  MODE_PLAIN,   /* prose for gtk_label_set_text(): overrides dropped */
  MODE_CODE,    /* code: overrides shown as <U+202E> so nothing hides */
} SanitizeMode;

/* Bidirectional embeddings, overrides and isolates reorder what follows
 * them ("Trojan Source"); tag characters carry invisible ASCII
 * ("ASCII smuggling"). Neither belongs in a reply as shown. */
static gboolean
is_reordering_or_hidden (gunichar c)
{
  return (c >= 0x202A && c <= 0x202E)
      || (c >= 0x2066 && c <= 0x2069)
      || (c >= 0xE0000 && c <= 0xE007F);
}

/* Characters that are invisible or look like a space: in a link target
 * they could hide where the link really goes. */
static gboolean
is_invisible_in_uri (gunichar c)
{
  return c == 0x00A0 || c == 0x00AD || c == 0x034F || c == 0x061C
      || c == 0x115F || c == 0x1160 || c == 0x17B4 || c == 0x17B5
      || (c >= 0x180B && c <= 0x180E)
      || (c >= 0x2000 && c <= 0x200F)
      || (c >= 0x2028 && c <= 0x202F)
      || (c >= 0x205F && c <= 0x206F)
      || c == 0x3000 || c == 0x3164
      || (c >= 0xFE00 && c <= 0xFE0F)
      || c == 0xFEFF || c == 0xFFA0
      || (c >= 0xFFF0 && c <= 0xFFFB)
      || (c >= 0xE0000 && c <= 0xE0FFF);
}

/* Returns the character at @p, or U+FFFD for an invalid sequence, and
 * how many bytes it used. */
static gunichar
next_char (const char *p,
           const char *end,
           gsize      *used)
{
  gunichar c = g_utf8_get_char_validated (p, end - p);

  if (c == (gunichar) -1 || c == (gunichar) -2)
    {
      *used = 1;
      return 0xFFFD;
    }
  *used = g_utf8_next_char (p) - p;
  return c;
}

static void
append_special (GString      *out,
                gunichar      c,
                SanitizeMode  mode)
{
  if (c == '\r')
    return;
  if (c < 0x20)
    {
      /* U+2400 CONTROL PICTURES: ESC shows as ␛ */
      g_string_append_unichar (out, 0x2400 + c);
      return;
    }
  if (c == 0x7F)
    {
      g_string_append_unichar (out, 0x2421);
      return;
    }
  if (c >= 0x80 && c <= 0x9F)
    {
      g_string_append_unichar (out, 0xFFFD);
      return;
    }
  if (is_reordering_or_hidden (c))
    {
      if (mode == MODE_CODE)
        g_string_append_printf (out, "<U+%04X>", c);
      return;
    }
  if (mode == MODE_MARKUP)
    {
      switch (c)
        {
        case '&': g_string_append (out, "&amp;"); return;
        case '<': g_string_append (out, "&lt;"); return;
        case '>': g_string_append (out, "&gt;"); return;
        case '"': g_string_append (out, "&quot;"); return;
        case '\'': g_string_append (out, "&#39;"); return;
        default: break;
        }
    }
  g_string_append_unichar (out, c);
}

static gboolean
needs_care (gunichar     c,
            SanitizeMode mode)
{
  if (c == '\n' || c == '\t')
    return FALSE;
  if (c < 0x20 || (c >= 0x7F && c <= 0x9F) || c == 0xFFFD)
    return TRUE;
  if (mode == MODE_MARKUP && (c == '&' || c == '<' || c == '>' || c == '"' || c == '\''))
    return TRUE;
  return is_reordering_or_hidden (c);
}

static void
append_sanitized (GString      *out,
                  const char   *text,
                  gssize        len,
                  SanitizeMode  mode)
{
  const char *end;
  const char *run;
  const char *p;

  if (len < 0)
    len = strlen (text);
  end = text + len;
  run = p = text;

  /* Copy runs of ordinary characters in one go; most text is ordinary. */
  while (p < end)
    {
      gsize used;
      gunichar c;

      if ((guchar) *p >= 0x20 && (guchar) *p < 0x7F && *p != '&' && *p != '<'
          && *p != '>' && *p != '"' && *p != '\'')
        {
          p++;
          continue;
        }
      c = next_char (p, end, &used);
      if (!needs_care (c, mode))
        {
          p += used;
          continue;
        }
      g_string_append_len (out, run, p - run);
      append_special (out, c, mode);
      p += used;
      run = p;
    }
  g_string_append_len (out, run, p - run);
}

/**
 * confab_markdown_append_escaped:
 * @markup: Pango markup being built
 * @text: untrusted text
 * @len: length of @text in bytes, or -1 if NUL-terminated
 *
 * Appends @text so that Pango shows it literally: `<b>` stays `<b>`.
 */
void
confab_markdown_append_escaped (GString    *markup,
                                const char *text,
                                gssize      len)
{
  g_return_if_fail (markup != NULL);
  g_return_if_fail (text != NULL || len == 0);

  append_sanitized (markup, text, len, MODE_MARKUP);
}

/**
 * confab_markdown_append_plain:
 * @out: plain text being built
 * @text: untrusted text
 * @len: length of @text in bytes, or -1 if NUL-terminated
 *
 * Appends @text for a widget that takes plain text (no markup).
 */
void
confab_markdown_append_plain (GString    *out,
                              const char *text,
                              gssize      len)
{
  g_return_if_fail (out != NULL);
  g_return_if_fail (text != NULL || len == 0);

  append_sanitized (out, text, len, MODE_PLAIN);
}

/**
 * confab_markdown_sanitize_code:
 * @code: untrusted code
 * @len: length of @code in bytes, or -1 if NUL-terminated
 *
 * Returns: (transfer full): @code as it should be displayed: reordering
 *   characters shown as `<U+202E>`, control characters as symbols
 */
char *
confab_markdown_sanitize_code (const char *code,
                               gssize      len)
{
  GString *out;

  g_return_val_if_fail (code != NULL || len == 0, NULL);

  out = g_string_sized_new (len > 0 ? len : 16);
  append_sanitized (out, code, len, MODE_CODE);
  return g_string_free (out, FALSE);
}

static gboolean
offers_line_break (gunichar c)
{
  return g_unichar_isspace (c) || c == '-' || c == CONFAB_MARKDOWN_BREAK_CHAR
         || g_unichar_iswide (c);
}

/* The length of the tag or entity at @p, which is copied as is. */
static gsize
markup_token_length (const char *p,
                     const char *end)
{
  const char *close = memchr (p, *p == '<' ? '>' : ';', end - p);

  return close != NULL ? (gsize) (close + 1 - p) : (gsize) (end - p);
}

/**
 * confab_markdown_break_long_runs:
 * @markup: Pango markup whose text may hold very long unbroken runs
 *
 * Pango wraps a run without line-break opportunities (a base64 blob, a
 * 20,000-character "word") in time proportional to its length times the
 * lines it fills: 20 KB freeze a GtkLabel for a minute. Inserting a zero
 * width space every CONFAB_MARKDOWN_LONG_RUN characters of such runs
 * makes that linear. Tags and entities are skipped; an entity counts as
 * one character. Ordinary prose, URLs included, is left unchanged.
 */
void
confab_markdown_break_long_runs (GString *markup)
{
  GString *out;
  const char *p;
  const char *end;
  guint run = 0;

  g_return_if_fail (markup != NULL);

  if (markup->len <= CONFAB_MARKDOWN_LONG_RUN)
    return;

  out = g_string_sized_new (markup->len + markup->len / CONFAB_MARKDOWN_LONG_RUN * 3);
  end = markup->str + markup->len;
  for (p = markup->str; p < end;)
    {
      gunichar c = *p == '&' ? 'x' : g_utf8_get_char_validated (p, end - p);
      gsize n;

      if (*p == '<')
        {
          n = markup_token_length (p, end);
          g_string_append_len (out, p, n);
          p += n;
          continue;
        }
      if (c == (gunichar) -1 || c == (gunichar) -2 || offers_line_break (c))
        run = 0;
      else if (++run > CONFAB_MARKDOWN_LONG_RUN)
        {
          g_string_append_unichar (out, CONFAB_MARKDOWN_BREAK_CHAR);
          run = 1;
        }
      n = *p == '&' ? markup_token_length (p, end) : (gsize) (g_utf8_next_char (p) - p);
      g_string_append_len (out, p, MIN (n, (gsize) (end - p)));
      p += n;
    }

  g_string_assign (markup, out->str);
  g_string_free (out, TRUE);
}

/**
 * confab_markdown_dup_shortened:
 * @text: valid UTF-8
 * @max_chars: how many characters to keep
 *
 * Returns: (transfer full): @text, cut after @max_chars characters with
 *   "…" appended if it was longer
 */
char *
confab_markdown_dup_shortened (const char *text,
                               gsize       max_chars)
{
  const char *cut;

  g_return_val_if_fail (text != NULL, NULL);

  cut = text;
  while (*cut != '\0' && max_chars-- > 0)
    cut = g_utf8_next_char (cut);
  if (*cut == '\0')
    return g_strdup (text);
  return g_strdup_printf ("%.*s…", (int) (cut - text), text);
}

typedef struct
{
  const char *name;
  gunichar    c;
} Entity;

/* The named entities models actually write; sorted for bsearch(). Others
 * stay as the literal text the model wrote. */
static const Entity entities[] = {
  { "AElig", 0xC6 }, { "Alpha", 0x391 }, { "Beta", 0x392 }, { "Delta", 0x394 },
  { "Gamma", 0x393 }, { "Lambda", 0x39B }, { "Omega", 0x3A9 }, { "Phi", 0x3A6 },
  { "Pi", 0x3A0 }, { "Psi", 0x3A8 }, { "Sigma", 0x3A3 }, { "Theta", 0x398 },
  { "aacute", 0xE1 }, { "acute", 0xB4 }, { "aelig", 0xE6 }, { "agrave", 0xE0 },
  { "alpha", 0x3B1 }, { "amp", '&' }, { "apos", '\'' }, { "asymp", 0x2248 },
  { "auml", 0xE4 }, { "beta", 0x3B2 }, { "bull", 0x2022 }, { "ccedil", 0xE7 },
  { "cent", 0xA2 }, { "check", 0x2713 }, { "chi", 0x3C7 }, { "copy", 0xA9 },
  { "dagger", 0x2020 }, { "darr", 0x2193 }, { "deg", 0xB0 }, { "delta", 0x3B4 },
  { "divide", 0xF7 }, { "eacute", 0xE9 }, { "egrave", 0xE8 }, { "emsp", 0x2003 },
  { "ensp", 0x2002 }, { "epsilon", 0x3B5 }, { "equiv", 0x2261 }, { "eta", 0x3B7 },
  { "euml", 0xEB }, { "euro", 0x20AC }, { "exist", 0x2203 }, { "forall", 0x2200 },
  { "frac12", 0xBD }, { "frac14", 0xBC }, { "frac34", 0xBE }, { "gamma", 0x3B3 },
  { "ge", 0x2265 }, { "gt", '>' }, { "hArr", 0x21D4 }, { "harr", 0x2194 },
  { "hellip", 0x2026 }, { "iacute", 0xED }, { "iexcl", 0xA1 }, { "infin", 0x221E },
  { "int", 0x222B }, { "iota", 0x3B9 }, { "iquest", 0xBF }, { "isin", 0x2208 },
  { "kappa", 0x3BA }, { "lArr", 0x21D0 }, { "lambda", 0x3BB }, { "laquo", 0xAB },
  { "larr", 0x2190 }, { "ldquo", 0x201C }, { "le", 0x2264 }, { "lsaquo", 0x2039 },
  { "lsquo", 0x2018 }, { "lt", '<' }, { "mdash", 0x2014 }, { "micro", 0xB5 },
  { "middot", 0xB7 }, { "minus", 0x2212 }, { "mu", 0x3BC }, { "nabla", 0x2207 },
  { "nbsp", 0xA0 }, { "ndash", 0x2013 }, { "ne", 0x2260 }, { "not", 0xAC },
  { "ntilde", 0xF1 }, { "nu", 0x3BD }, { "oacute", 0xF3 }, { "omega", 0x3C9 },
  { "ouml", 0xF6 }, { "para", 0xB6 }, { "part", 0x2202 }, { "permil", 0x2030 },
  { "phi", 0x3C6 }, { "pi", 0x3C0 }, { "plusmn", 0xB1 }, { "pound", 0xA3 },
  { "prime", 0x2032 }, { "prod", 0x220F }, { "psi", 0x3C8 }, { "quot", '"' },
  { "rArr", 0x21D2 }, { "radic", 0x221A }, { "raquo", 0xBB }, { "rarr", 0x2192 },
  { "rdquo", 0x201D }, { "reg", 0xAE }, { "rho", 0x3C1 }, { "rsaquo", 0x203A },
  { "rsquo", 0x2019 }, { "sect", 0xA7 }, { "sigma", 0x3C3 }, { "sum", 0x2211 },
  { "sup2", 0xB2 }, { "sup3", 0xB3 }, { "szlig", 0xDF }, { "tau", 0x3C4 },
  { "theta", 0x3B8 }, { "thinsp", 0x2009 }, { "times", 0xD7 }, { "trade", 0x2122 },
  { "uacute", 0xFA }, { "uarr", 0x2191 }, { "uuml", 0xFC }, { "xi", 0x3BE },
  { "yen", 0xA5 }, { "zeta", 0x3B6 },
};

static int
compare_entity (const void *key,
                const void *element)
{
  return strcmp (key, ((const Entity *) element)->name);
}

static gunichar
decode_numeric (const char *digits,
                gsize       len)
{
  gboolean hex = len > 0 && (digits[0] == 'x' || digits[0] == 'X');
  guint64 value = 0;
  gsize i;

  for (i = hex ? 1 : 0; i < len; i++)
    {
      int d = hex ? g_ascii_xdigit_value (digits[i]) : g_ascii_digit_value (digits[i]);

      if (d < 0)
        return 0xFFFD;
      value = value * (hex ? 16 : 10) + d;
      if (value > 0x10FFFF)
        return 0xFFFD;
    }
  /* CommonMark: NUL and surrogates become U+FFFD */
  if (value == 0 || (value >= 0xD800 && value <= 0xDFFF))
    return 0xFFFD;
  return (gunichar) value;
}

/**
 * confab_markdown_decode_entity:
 * @entity: an entity as md4c reports it, e.g. `&amp;` or `&#x4E2D;`
 * @len: its length in bytes
 * @out: where the decoded character is appended (unescaped)
 *
 * Returns: %TRUE if @entity was decoded, %FALSE if it is not known (the
 *   caller shows it literally)
 */
gboolean
confab_markdown_decode_entity (const char *entity,
                               gsize       len,
                               GString    *out)
{
  char name[16];
  const Entity *found;

  g_return_val_if_fail (out != NULL, FALSE);

  if (entity == NULL || len < 3 || entity[0] != '&' || entity[len - 1] != ';')
    return FALSE;

  if (entity[1] == '#')
    {
      g_string_append_unichar (out, decode_numeric (entity + 2, len - 3));
      return TRUE;
    }

  if (len - 2 >= sizeof name)
    return FALSE;
  memcpy (name, entity + 1, len - 2);
  name[len - 2] = '\0';
  found = bsearch (name, entities, G_N_ELEMENTS (entities), sizeof (Entity), compare_entity);
  if (found == NULL)
    return FALSE;
  g_string_append_unichar (out, found->c);
  return TRUE;
}

/**
 * confab_markdown_normalize_uri:
 * @uri: an untrusted URI, as written
 * @len: its length in bytes, or -1 if NUL-terminated
 *
 * Percent-encodes everything in @uri that could hide its real target:
 * spaces, control characters, invalid UTF-8 and invisible or
 * reordering characters. Visible non-ASCII text (a Chinese path) stays
 * readable. The result is both what is opened and what the user is shown.
 *
 * Returns: (transfer full): the normalized URI
 */
char *
confab_markdown_normalize_uri (const char *uri,
                               gssize      len)
{
  const char *end;
  const char *p;
  GString *out;

  g_return_val_if_fail (uri != NULL || len == 0, NULL);

  if (len < 0)
    len = strlen (uri);
  end = uri + len;
  out = g_string_sized_new (len);

  for (p = uri; p < end;)
    {
      gunichar c = g_utf8_get_char_validated (p, end - p);
      gsize used;
      gsize i;

      if (c == (gunichar) -1 || c == (gunichar) -2)
        {
          g_string_append_printf (out, "%%%02X", (guchar) *p);
          p++;
          continue;
        }
      used = g_utf8_next_char (p) - p;
      if (c <= 0x20 || (c >= 0x7F && c <= 0x9F) || is_invisible_in_uri (c))
        {
          for (i = 0; i < used; i++)
            g_string_append_printf (out, "%%%02X", (guchar) p[i]);
        }
      else
        {
          g_string_append_len (out, p, used);
        }
      p += used;
    }

  return g_string_free (out, FALSE);
}

static gboolean
has_scheme (const char *uri,
            const char *scheme)
{
  gsize n = strlen (scheme);

  return g_ascii_strncasecmp (uri, scheme, n) == 0 && uri[n] == ':';
}

/* An http(s) URI that names a host: "http:foo" or "https:///x" would be
 * guessed at by whatever opens them. */
static gboolean
is_web_uri (const char *uri)
{
  g_autoptr(GUri) parsed = NULL;
  const char *host;

  if (!has_scheme (uri, "http") && !has_scheme (uri, "https"))
    return FALSE;
  parsed = g_uri_parse (uri, G_URI_FLAGS_ENCODED | G_URI_FLAGS_PARSE_RELAXED, NULL);
  if (parsed == NULL)
    return FALSE;
  host = g_uri_get_host (parsed);
  return host != NULL && host[0] != '\0';
}

/**
 * confab_markdown_uri_is_openable:
 * @uri: a normalized URI
 *
 * Only web pages and mail addresses may be opened from a reply: file:,
 * smb:, javascript: and custom schemes are how chat clients were turned
 * into remote code execution (shared/reference/reliability.md §2.4).
 *
 * Returns: %TRUE for a well-formed http, https or mailto URI
 */
gboolean
confab_markdown_uri_is_openable (const char *uri)
{
  g_return_val_if_fail (uri != NULL, FALSE);

  if (has_scheme (uri, "mailto"))
    return uri[strlen ("mailto:")] != '\0' && strchr (uri, '@') != NULL;
  return is_web_uri (uri);
}

/**
 * confab_markdown_uri_is_remote_image:
 * @uri: a normalized URI
 *
 * Returns: %TRUE if the app could fetch @uri as an image if the user asks
 */
gboolean
confab_markdown_uri_is_remote_image (const char *uri)
{
  g_return_val_if_fail (uri != NULL, FALSE);

  return is_web_uri (uri);
}
