// `express4` is an npm alias of express@4, which ships no types of its own; the tests drive it through the
// same surface the Express 5 types describe (app, router, listen, set).
declare module 'express4' {
  import express from 'express'
  export default express
}
