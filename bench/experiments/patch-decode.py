# Scratch: header cache + one anchored scan in decodeJws, on a copy of core's bundle (never packages/).
import sys
p = sys.argv[1]; s = open(p).read()
old = '''  const headerPart = token.slice(0, first);
  const payloadPart = token.slice(first + 1, second);
  const signaturePart = token.slice(second + 1);
  if (!isBase64url(headerPart) || !isBase64url(payloadPart) || !isBase64url(signaturePart)) {
    throw malformed("segments must be non-empty base64url without padding");
  }
  const header = parseJsonObject(headerPart, "header");
  checkHeader(header);'''
new = '''  if (!COMPACT_JWS.test(token) || first % 4 === 1 || (second - first - 1) % 4 === 1 || (token.length - second - 1) % 4 === 1) {
    throw malformed("segments must be non-empty base64url without padding");
  }
  const headerPart = token.slice(0, first);
  const payloadPart = token.slice(first + 1, second);
  const signaturePart = token.slice(second + 1);
  let header = CHECKED_HEADERS.get(headerPart);
  if (header === void 0) {
    header = parseJsonObject(headerPart, "header");
    checkHeader(header);
    Object.freeze(header);
    if (CHECKED_HEADERS.size >= 64) CHECKED_HEADERS.clear();
    CHECKED_HEADERS.set(headerPart, header);
  }'''
assert old in s, 'decodeJws shape changed'
s = s.replace(old, new)
s = s.replace('function decodeJws(token) {', 'var COMPACT_JWS = /^[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$/;\nvar CHECKED_HEADERS = /* @__PURE__ */ new Map();\nfunction decodeJws(token) {', 1)
if len(sys.argv) > 2 and sys.argv[2] == 'drop-bearer-scan':
    assert '      assertBearerSyntax(token);\n' in s
    s = s.replace('      assertBearerSyntax(token);\n', '', 1)
open(p, 'w').write(s)
