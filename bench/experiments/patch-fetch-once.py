# Experiment: double-checked JWKS fetch lock in RemoteKeySource#fetchOnce, on a copy of core's bundle.
import sys
p = sys.argv[1]; s = open(p).read()
old = '''      if (!locked) {
        const deadline = Date.now() + SHARED_WAIT_MS;'''
new = '''      if (locked) {
        // Double-check under the lock: another instance may have stored the set between our first look and now.
        const arrived = await this.#readShared();
        if (arrived) {
          await shared.delete(this.#sharedKey("jwks-lock:")).catch(() => {});
          return arrived.document;
        }
      } else {
        const deadline = Date.now() + SHARED_WAIT_MS;'''
assert old in s, 'fetchOnce shape changed'
open(p, 'w').write(s.replace(old, new))
