// Scratch: what touching an Express request costs inside a served request (every request has a hidden class
// of its own after Express's setPrototypeOf): five property reads, the same reads again, adding `req.auth`,
// and the same add on a plain object; then `auth` as an accessor on the request prototype instead (WeakMap).
import autocannon from 'autocannon'
import express from 'express'

const now = process.hrtime.bigint
const acc = { reads: 0, again: 0, add: 0, plainAdd: 0, accessorSet: 0, accessorRead: 0 }
let sink

const own = express()
own.get('/', (req, res) => {
  const t0 = now()
  sink = [req.headers, req.socket, req.app, req.rawHeaders, req.method]
  const t1 = now()
  sink = [req.headers, req.socket, req.app, req.rawHeaders, req.method]
  const t2 = now()
  req.auth = sink
  const t3 = now()
  const plain = {}
  plain.auth = sink
  const t4 = now()
  acc.reads += Number(t1 - t0)
  acc.again += Number(t2 - t1)
  acc.add += Number(t3 - t2)
  acc.plainAdd += Number(t4 - t3)
  res.send('ok')
})

const store = new WeakMap()
let installed = false
const accessor = express()
accessor.get('/', (req, res) => {
  if (!installed) {
    installed = true
    Object.defineProperty(Object.getPrototypeOf(req), 'auth', {
      configurable: true,
      get() {
        return store.get(this)
      },
      set(value) {
        store.set(this, value)
      },
    })
  }
  const t0 = now()
  req.auth = acc
  const t1 = now()
  sink = req.auth
  const t2 = now()
  acc.accessorSet += Number(t1 - t0)
  acc.accessorRead += Number(t2 - t1)
  res.send('ok')
})

const listen = (app) =>
  new Promise((resolve) => {
    const server = app.listen(0, () => resolve(server))
  })
const servers = [await listen(own), await listen(accessor)]
const run = (server, seconds) =>
  new Promise((resolve) =>
    autocannon(
      { url: `http://127.0.0.1:${server.address().port}/`, connections: 16, duration: seconds },
      (_, result) => resolve(result.requests.total),
    ),
  )
for (const server of servers) await run(server, 2)
for (let round = 0; round < 3; round++) {
  for (const key in acc) acc[key] = 0
  const a = await run(servers[0], 2)
  const b = await run(servers[1], 2)
  const ns = (value, n) => (value / n).toFixed(0)
  console.log(
    `ns per request: 5 reads ${ns(acc.reads, a)}, again ${ns(acc.again, a)}, req.auth add ${ns(acc.add, a)}, plain-object add ${ns(acc.plainAdd, a)} | accessor set ${ns(acc.accessorSet, b)}, accessor read ${ns(acc.accessorRead, b)}`,
  )
}
for (const server of servers) server.close()
