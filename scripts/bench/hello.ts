// The yardstick of `npm run bench:pages`: Express answering "hello" with no middleware, started the same way as
// the app (a child process running TypeScript through tsx), so a page's share of it is what the app's work costs.
import express from 'express'

const app = express()
app.get('/', (_req, res) => {
  res.send('hello')
})
app.listen(Number(process.env.PORT), '127.0.0.1')
