//! A local CEC for tests and demos: `tokenByAkSk`, the whole number
//! management family (`queryAccessCodeList`, `createCalledRoute`,
//! `queryCalledRoute`, `modifyCalledRoute`, `deleteCalledRoute`) and the
//! two lookups of what a route can point at (`querySkills`,
//! `queryIVRFlowList`) at their documented paths, with CEC's
//! authentication, the spec's validation, the documented rules between
//! access codes, media types, skill queues, IVR flows and `editable`
//! states, and state in memory.
//!
//! Add it to `[dev-dependencies]` as `cec-routes-sandbox`; the test-only
//! knobs (injected faults, request counts) are behind its feature `faults`.
//!
//! # In-process, for tests
//!
//! [`Sandbox::start`] listens on a free loopback port with a generated app
//! key and secret and the [default seed](Seed::default);
//! [`Sandbox::client_builder`] gives a [`ClientBuilder`] aimed at it. The
//! server stops when the `Sandbox` is dropped (or at [`Sandbox::shutdown`]).
//!
//! ```
//! use cec_routes::{CalledRoute, Device, MediaType, RouteFilter};
//! use cec_routes_sandbox::Sandbox;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let sandbox = Sandbox::start().await?;
//! let client = sandbox.client_builder().build()?;
//!
//! let route = CalledRoute::new("9911411", Device::SkillQueue(1))?
//!     .with_ext_code("11")?
//!     .with_media_type(MediaType::Video)?;
//! let done = client.create_called_route(&route).await?;
//! assert_eq!(done.description.as_deref(), Some("data create success"));
//!
//! let routes = sandbox.routes();
//! assert_eq!(routes[0].access_code, "9911411");
//! assert_eq!(routes[0].dnid, 1);
//!
//! let listed = client.called_routes(&RouteFilter::new()).await?;
//! assert_eq!(listed[0].device_desc.as_deref(), Some("defaultVideoSkill"));
//! client.delete_called_routes(&[1]).await?;
//! assert!(sandbox.routes().is_empty());
//! # Ok(())
//! # }
//! ```
//!
//! # Standalone, for a command line
//!
//! [`SandboxBuilder::port`] picks the port, [`SandboxBuilder::bind`] another
//! address than loopback (with a warning in the log),
//! [`SandboxBuilder::seed`] the starting state (e.g. [`Seed::from_json_file`]),
//! and [`Sandbox::serve_until`] runs the server until a signal:
//!
//! ```no_run
//! use cec_routes_sandbox::{Sandbox, Seed};
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let sandbox = Sandbox::builder()
//!     .port(8080)
//!     .credentials_from_env()
//!     .seed(Seed::from_json_file("examples/sandbox-seed.json")?)
//!     .start()
//!     .await?;
//! println!("CEC sandbox at {} (app key {})", sandbox.base_url(), sandbox.app_key());
//! sandbox
//!     .serve_until(async {
//!         // An error here (no signal handler) stops the sandbox at once.
//!         let _ = tokio::signal::ctrl_c().await;
//!     })
//!     .await?;
//! # Ok(())
//! # }
//! ```
//!
//! Every request is logged as a `tracing` event (targets under
//! `cec_routes_sandbox`, level INFO) with the sandbox's address, the
//! method, the path (never the query or a header), the status and the
//! duration; refusals, issued tokens and created, modified and deleted
//! routes add a DEBUG event. No event carries an app secret or a token.
//!
//! # Features
//!
//! - `faults` (off by default): the knobs a test needs to make a server
//!   misbehave on cue or to count what reached it, with one vocabulary of
//!   faults, `Fault`: a status, a `returnCode`, any body, a redirect, a
//!   huge body, no answer, a broken connection, before or after the request
//!   is carried out. `Sandbox::fail_request` plans one for the `n`th request
//!   of an `Operation`; `Sandbox::requests` counts the requests of one
//!   operation; `Sandbox::max_in_flight` and `Sandbox::reset_max_in_flight`
//!   give the most requests under way at once; `FAULT_HOLD` is how long an
//!   unanswered request is held. `FaultServer` is a bare loopback server
//!   that answers every request with one `Fault` (for a client's tests that
//!   need no tenant). None of it exists without the feature, so a sandbox
//!   serving a demo or a command line cannot be told to fail. Enable it
//!   where the tests are:
//!
//!   ```toml
//!   [dev-dependencies]
//!   cec-routes-sandbox = { version = "0.1", features = ["faults"] }
//!   ```
//!
//!   This crate's own fault tests need it too:
//!   `cargo test -p cec-routes-sandbox --features faults` (the workspace's
//!   `cargo test` enables it through the SDK's and the CLI's
//!   dev-dependencies).
//!
//! # Seeds
//!
//! A sandbox starts with a [`Seed`]: the tenant's access codes (each with
//! its media type), skill queues (each with its media type and what
//! `querySkills` lists), IVR flows (with what `queryIVRFlowList` lists),
//! and routes (each with its `editable` state).
//!
//! - [`Seed::default`] (what [`Sandbox::start`] uses), no routes:
//!
//!   | kind | id | name / access code | media type |
//!   |---|---|---|---|
//!   | access code | `1124167935465633793` | `9911411` (the documented one: `numCallAttr` 3, `n400Number` and `description` null) | 5 voice and video |
//!   | access code | `1124167935465633794` | `9911412` (`numCallAttr` 1) | 53 multimedia |
//!   | access code | `1124167935465633795` | `9911413` (`numCallAttr` 2, `n400Number` `4008009911`) | 2 click-to-dial |
//!   | skill queue | 1 | `defaultVideoSkill`: the documented querySkills example's queue, every field verbatim (description `2021ok`, wrap-up 5 s, wait 60 s, 100 waiting, every `skillParam` policy `Release`, answer `"0"`, wait voice `Voice`); the documented create example binds it with 19 | 19 video |
//!   | skill queue | 2 | `defaultVoiceSkill` (`voice hotline`; no agents or time-out: transfer to IVR flow 8) | 5 voice and video |
//!   | skill queue | 3 | `onlineChatSkill` (`online chat`) | 53 multimedia |
//!   | skill queue | 4 | `clickToDialSkill` | 2 click-to-dial |
//!   | skill queue | 5 | `videoClickToDialSkill` | 18 video click-to-dial |
//!   | IVR flow | 7 | `welcomeIvr` (flow access code `1001`, `welcome.vxml`, `flowType` 4, loaded, 100 calls) | — |
//!   | IVR flow | 8 | `afterHoursIvr` (flow access code `1002`, `afterHours.vxml`, `flowType` 4, **not loaded**, 50 calls) | — |
//!
//!   Every queue has a description, wrap-up and waiting limits and a
//!   `skillParam` (queues 3 to 5 only `noAgents`, `busy` and `timeOut`, as
//!   createSkill says for their media types); [`Seed::to_json`] shows them
//!   all.
//!
//! - [`Seed::documented_examples`] is the default seed plus the three routes
//!   of the documented queryCalledRoute example (dnids 1, 2, 3; `9911411`
//!   with extension codes `""`, `"1"`, `"11"`, all to skill queue 1,
//!   editable `"0"`; dnid 1 without a media type). The documented create
//!   example is then a duplicate, and the documented modify example (id
//!   `1125397061153369092` → skill queue 1) and delete example (dnids
//!   `"1,2"`) succeed as documented. The documented querySkills request
//!   (`{"limit": "10", "offset": 0}`) lists all five queues (`total` 5),
//!   the first being the documented response's item verbatim; the
//!   documented response itself (`total` 1) is what a tenant with only that
//!   queue answers, e.g. a seed file holding the default seed's first
//!   queue. (The other queues stay: the other documented examples and many
//!   tests route to them.)
//! - [`Seed::empty`] holds nothing.
//!
//! ## Seed files
//!
//! [`Seed::from_json_file`] (`cec-routes sandbox --seed FILE`) and
//! [`Seed::from_json_str`] read a JSON object with four optional lists; each
//! item has the shape the matching query returns (`queryAccessCodeList`,
//! `querySkills`, `queryIVRFlowList`, `queryCalledRoute`), so items copied
//! from a real tenant's responses load as they are. `mediaTypeId` may also
//! be spelled `mediatypeId` everywhere. Seed files written before the
//! lookups existed load as they did: a skill queue's `id` is its `skillId`,
//! and an IVR flow's `name` its `description`. Unknown fields are refused, as are
//! routes naming an access code or device the seed does not have, and
//! repeated access codes, device ids, route keys (access code + extension
//! code), dnids or ids. `examples/sandbox-seed.json` is a complete example;
//! [`Seed::to_json`] writes any seed in this format.
//!
//! ```json
//! {
//!   "accessCodes": [
//!     {"id": "1124167935465633793", "accessCode": "9911411", "mediaTypeId": 5,
//!      "n400Number": null, "description": null, "numCallAttr": 3}
//!   ],
//!   "skillQueues": [
//!     {"skillId": 1, "name": "defaultVideoSkill", "mediaTypeId": 19, "description": "2021ok",
//!      "maxAgentWrapupTime": 5, "maxWaitTime": 60, "maxWaitNum": 100,
//!      "skillParam": {"noAgents": {"transferType": "Release"}, "answerFunction": "0"}},
//!     {"id": 2, "name": "defaultVoiceSkill", "mediaTypeId": 5}
//!   ],
//!   "ivrFlows": [
//!     {"id": 7, "description": "welcomeIvr", "accessCode": "1001", "flowFileName": "welcome.vxml",
//!      "flowType": 4, "isLoad": 1, "maxCallNum": 100},
//!     {"id": 8, "name": "afterHoursIvr"}
//!   ],
//!   "routes": [
//!     {"id": "1125397061153369092", "dnid": 3, "accessCode": "9911411", "extCode": "11",
//!      "devicetype": 1, "deviceId": 1, "mediaTypeId": 19, "editable": "0"},
//!     {"accessCode": "9911411", "devicetype": 3, "deviceId": 7, "editable": "2"}
//!   ]
//! }
//! ```
//!
//! | field | required | meaning |
//! |---|---|---|
//! | `accessCodes[].accessCode` | yes | 1 to 32 characters, unique |
//! | `accessCodes[].mediaTypeId` | yes | 2, 5, 18, 19 or 53; limits its routes' media types |
//! | `accessCodes[].id` | no | default `1124167935465633792` + position (1 for the first), skipping ids in use |
//! | `accessCodes[].n400Number`, `.description` | no | strings or `null` |
//! | `accessCodes[].numCallAttr` | no | 1, 2, 3 or `null` |
//! | `skillQueues[].skillId` (or `id`), `ivrFlows[].id` | yes | 0 to 2147483647, unique per kind |
//! | `skillQueues[].name` | yes | listed by querySkills, and as the `deviceDesc` of a route to the queue |
//! | `skillQueues[].mediaTypeId` | no | 2, 5, 18, 19 or 53; default 5 (the documented default for a queue without one), listed as 5 |
//! | `skillQueues[].description` | no | a string |
//! | `skillQueues[].maxAgentWrapupTime`, `.maxWaitTime`, `.maxWaitNum` | no | 0 to 3600, 0 to 60000, 0 to 10000 (createSkill's limits) |
//! | `skillQueues[].skillParam` | no | the spec's `SkillParam`: `noAgents`, `busy`, `timeOut` (each `{transferType, deviceType, value}`), `answerFunction`, `waitVoice` (`{parameterType}`); any other field is refused. Listed as given; not checked against the tenant's devices |
//! | `ivrFlows[].description` (or `name`) | no | listed by queryIVRFlowList, and as the `deviceDesc` of a route to the flow (`null` when the flow has none) |
//! | `ivrFlows[].accessCode`, `.flowFileName` | no | strings; the flow's own access code is not one of `accessCodes` |
//! | `ivrFlows[].flowType` | no | 0 to 6, the documented flow types |
//! | `ivrFlows[].isLoad` | no | 0 (not loaded) or 1 (loaded); a route may point at a flow that is not loaded |
//! | `ivrFlows[].maxCallNum` | no | 0 or more |
//! | `routes[].accessCode` | yes | one of `accessCodes` |
//! | `routes[].devicetype`, `.deviceId` | yes | 1 + a skill queue's id, or 3 + an IVR flow's id |
//! | `routes[].extCode` | no | 1 to 12 digits, `*`, `#`; `""` or absent: none |
//! | `routes[].mediaTypeId` | no | 2, 5, 18, 19, 53 or `null` (none: listed `null`, counts as 5 for the rules, matches every media-type filter) |
//! | `routes[].editable` | no | `"0"` (default, also for `null`), `"1"`, `"2"` or `"3"` |
//! | `routes[].dnid` | no | 1 to 2^53; default: one above the highest so far, in the file's order |
//! | `routes[].id` | no | 1 to 32 digits; default `1127983948544239616` + dnid, or the next free number |
//! | `routes[].deviceDesc` | no | ignored, but when present must be the device's name (a skill queue's `name`, an IVR flow's `description`) |
//!
//! A seed's routes are not held to the media-type rules (the documented
//! example itself binds a route without a media type, i.e. 5, to the video
//! queue 1); every create and modify is.
//!
//! # What the sandbox assumes beyond the documentation
//!
//! The CEC pages document the paths, the bodies and the 200 answers, list
//! 400/401/403/404/500 with a meaning but no body and no error codes, state
//! the rules between access codes, media types, devices and `editable`
//! states without saying how a refusal looks, and leave matching modes
//! open. Every choice the sandbox makes where they are silent is here, and
//! only here:
//!
//! | topic | the sandbox's choice |
//! |---|---|
//! | error body | every refusal with a 4xx status has the 200 envelope's shape, `{"returnCode": "<code>", "description": "<which field and what is wrong>"}` (the generated `ReturnResult`), with a `SANDBOX-…` code from the table below. At `queryIVRFlowList`, whose envelope differs, it is `{"retCode": "<code>", "message": "<…>"}`, and so is an injected fault's body there |
//! | return codes, 4xx | [`return_code::BAD_REQUEST`] 400; [`return_code::UNAUTHORIZED`] 401; [`return_code::FORBIDDEN`] 403; [`return_code::NOT_FOUND`] 404; [`return_code::METHOD_NOT_ALLOWED`] 405. The `SANDBOX-` prefix marks every code as the sandbox's own: CEC documents none |
//! | rule refusals | a documented rule broken by the tenant's state is a business failure: **HTTP 200**, `returnCode` from the next rows, `description` naming the rule and the values (never HTTP 500, which the pages also mention) |
//! | create refusals, in the order checked | [`return_code::ACCESS_CODE_NOT_FOUND`]: the access code is not the tenant's; [`return_code::MEDIA_TYPE_NOT_ALLOWED`]: the access code's media type does not allow the route's (5 → 5 or 19; 53 → 53; 2 → 2 or 18; also 19 → 5 or 19 and 18 → 2 or 18); [`return_code::SKILL_QUEUE_NOT_FOUND`] / [`return_code::IVR_FLOW_NOT_FOUND`]: no such device; [`return_code::SKILL_QUEUE_MEDIA_MISMATCH`]: the queue's media type is not the route's (the pages' "must equal"; the sandbox refuses rather than overriding `mediaTypeId`); [`return_code::DUPLICATE`]: the access code and extension code are already bound (the first route is kept) |
//! | media type not sent | a route created without `mediaTypeId` gets 5, the documented server default: it is stored with 5, listed with `"mediatypeId": 5`, and matches only the media-type filter 5. Only a seed's route can have none (the documented example's dnid 1, listed `null`) |
//! | IVR on multimedia | a business refusal, [`return_code::IVR_ON_MULTIMEDIA`] (HTTP 200), at create (`mediaTypeId` 53 with `devicetype` 3: the schema allows the pair, the documented rule forbids it, so the body is well formed) and at modify (pointing a route of media type 53 at an IVR flow) |
//! | modify | applies the create page's device rules (the pages do not say whether they apply): device exists, skill queue media type equals the route's, no IVR flow on 53; the media type, access code and extension code never change, so a modify cannot meet an access code that does not exist or a media type the access code does not allow. Refusals, in order: [`return_code::ROUTE_NOT_FOUND`] (no route has that `id`), [`return_code::NOT_EDITABLE`] (`editable` `"1"` or `"3"`), then the device rules. Re-pointing a route at its own device succeeds |
//! | delete | each dnid in turn (a repeated one counts once): unknown → failed, named `dnid <n>`; `editable` `"2"` or `"3"` → failed, named access code + extension code; otherwise deleted. `data.id` and `data.name` list the deleted routes (ids; access code + extension code, e.g. `99114111`), joined with `,`; `data.content` is `name` when all were deleted, `Success:<deleted>,Failed:<failed>` when some were |
//! | delete outcome | at least one deleted: `returnCode` `"0"`; all deleted: description `data delete success`; some: `data delete success for 1 of 2 routes; not deleted: <name> (<reason>), …`. None deleted: [`return_code::NOT_DELETED`], `data.id`, `data.name` and `data.content` all `""`, and the description lists each dnid with its reason |
//! | `""` vs no `extCode` | a route's key is its access code plus its extension code, where a missing extension code and `""` are the same key; listings show `""` for none. A create or a route query with `"extCode": ""` is refused with 400 anyway, by the spec's `minLength: 1` |
//! | route ids | created routes get `dnid` one above the highest held so far (1, 2, 3, … on the default seed; never reused) and `id` = 1127983948544239616 + `dnid` as a decimal string (or the next number not in use): 19 digits, above 2^53, like CEC's ids, the same in every run |
//! | route query: `accessCode` | exact match (the pages do not say) |
//! | route query: `extCode` | the route's extension code is a **prefix** of the one asked for, `""` included: `"11"` matches `"11"`, `"1"` and `""` — the routes a caller dialling access code + `11` could reach, and the only reading under which the documented example (filter `"11"`, routes `"11"`, `""`, `"1"`) is right |
//! | route query: media type | `mediaTypeId` (the request table) and `mediatypeId` (the documented example) are both accepted, as the spec takes both; sent together, both apply (a route must match each). A route without a media type (from a seed) matches every media-type filter, as dnid 1 (`null`) matches filter 19 in the documented example |
//! | route query: `devicetype`, `deviceDesc` | exact; `deviceDesc` matches a skill queue's or IVR flow's name containing the text, ignoring case ("fuzzy") |
//! | route query: order | by `id`, numerically: the documented example's order (dnids 3, 1, 2), and creation order for created routes |
//! | costs | routes are indexed by id (in listing order), dnid, access code and access code + extension code: a create finds a duplicate and a free id, a modify and a delete their route, by lookup; a listing walks the routes already in order (those of the access code asked for, when it is one) and builds only its page, and without another filter counts none. Only the other filters look at every route of the listing |
//! | access-code query | `accessCode` and `description` match when they contain the text, ignoring case ("fuzzy"); an access code without a description matches every description filter (the documented example returns one with `description: null` for the filter `接入码`); `mediatypeId` is exact, and only 2, 5 or 53 (the spec's enum; another value: 400); `mediaTypeId` is an unknown field there (400). Order: the seed's |
//! | querySkills: filters | `name` matches a queue whose name contains the text, ignoring case ("fuzzy", like the other listings' name filters; the page does not say; a caller wanting one queue compares names); `mediaTypeId` is exact (a string, `"19"`; a number is refused with 400, as the spec types it); `skillIds` lists the queues asked for (strings of digits; an id no queue has matches nothing; `[]` or absent: every queue). The filters combine; paging applies to every query, `skillIds` included (the page does not say) |
//! | querySkills: numbers and paging | `limit` and `offset` are taken as strings of digits (the request table) or numbers (the documented example's `offset`), as the spec takes both. `limit`: default 100; above 100 treated as 100; `"0"`, `0`, a negative or a non-integer value refused with 400 (the page says a positive integer). `offset`: default 0; negative treated as 0. `total` counts every match; order: by `skillId` |
//! | querySkills: answer | each queue lists every field the seed gives it (`mediaTypeId` always, 5 when the seed gives none) and leaves out those it does not: never `null`, like the documented example |
//! | queryIVRFlowList | the body must be a JSON object without fields, `{}` (the page documents none; any field, `pageNum` included, is refused with 400, and so is an empty body). The answer is `{"retCode": "0", "message": "success", "result": [...]}` with every flow, by `id`, each with the fields the seed gives it; no `total`, no paging. A flow that is not loaded (`isLoad` 0) is listed and may be routed to |
//! | paging | `limit` default 100, `offset` default 0; `total` counts every match; the page is `limit` items from `offset` (past the end: empty). As both queries' pages say, a `limit` above 100 is treated as 100; as the route query's page says, a negative `offset` is treated as 0, on the access-code query too (its page is silent; the spec reads it so). `limit` 0 answers only the `total` with an empty list; a negative `limit` is refused with 400 (the spec's `PageLimit` has minimum 0). The access-code query's documented "offset at most 100" is not applied (the spec does not cap it) |
//! | listing fields | every field of a listed route or access code is present; a field without a value is `null` (as the documented examples show `mediatypeId`, `n400Number`, `description`); `editable` is always a string `"0"` to `"3"`; the route's `deviceDesc` is its device's name |
//! | `X-Token-Expire` missing | the token lives 600 s ([`DEFAULT_TOKEN_LIFETIME`](cec_routes::config::DEFAULT_TOKEN_LIFETIME), the documented example) |
//! | `X-Token-Expire` invalid | not a whole number, 0, above 3600 or sent twice: 400 |
//! | token | 256 random bits as 64 lower-case hex characters, valid for exactly the lifetime granted, measured on tokio's clock (so paused time in tests moves it); `Scope` is [`TOKEN_SCOPE`], `UserID` `Anonymous`, `CreateTime` the wall clock in epoch seconds |
//! | tokens kept | at most 1024 unexpired tokens; issuing one more forgets the oldest. Expired tokens are dropped when a new one is issued |
//! | token request body | a JSON object with exactly `app_key` and `app_secret`, both non-empty strings, else 400 |
//! | wrong app key or secret | 401, with the same description for both (the key is not revealed as valid) |
//! | `Authorization` | the same on the seven business paths (the two lookups included): exactly one header, `Bearer <token>` as HTTP (RFC 7235) allows it: the scheme in any case, one or more spaces, one token (the pages write `Bearer ` with one space; they do not refuse the rest). Otherwise, or an unknown or expired token: 401 with `WWW-Authenticate: Bearer` |
//! | `X-APP-Key` | optional; when sent it must equal the app key the token was issued to, else **403**. Header names are case-insensitive, so querySkills' documented `X-APP-KEY` is the same header |
//! | order of checks | unknown path (404), wrong method (405, with `Allow: POST`), then authentication (401, 403), then the body (400), then the tenant's state (200 with a `SANDBOX-…` code) |
//! | body size | at most [`BODY_LIMIT`] (64 KiB) on every endpoint; a larger body is refused with **400** (not 413: CEC documents 400 for a bad request) |
//! | `Content-Type` | not checked: the body must be JSON whatever the header says |
//! | slow clients | HTTP/1.1 only; a client has [`HEADER_READ_TIMEOUT`] (10 s, [`SandboxBuilder::header_read_timeout`]) to send a request's headers, after which its connection is closed, so a slow or silent client cannot hold a connection forever; keep-alive connections stay open between requests until shutdown |
//! | body validation | a JSON object, deserialised into the generated request type (e.g. [`CreateCalledRouteRequest`](cec_routes::generated::types::CreateCalledRouteRequest)): the spec's schema decides which fields exist (no other is taken: `additionalProperties: false`), which are required, and each field's JSON type, length, pattern and enum. Then what the generated types leave open: `null` is refused for every field (the spec has no nullable request field), `deviceId` must be 0 or more ([`Device::from_wire`](cec_routes::Device::from_wire)), `limit` must not be negative, and [`CalledRoute`](cec_routes::CalledRoute), [`MediaType`](cec_routes::MediaType) and [`RouteId`](cec_routes::RouteId) apply the library's rules, so the client and the sandbox cannot disagree. A refusal names the field and, except at `tokenByAkSk`, the value: `invalid accessCode: longer than 32 characters (got "…")`, ``unknown field `x`, expected one of …``, ``missing field `deviceId` `` |
//! | credentials | one generated pair unless [`SandboxBuilder::credentials`] or [`SandboxBuilder::credentials_from_env`] gives some; several pairs may be configured |
//! | address | `127.0.0.1`, port 0 (a free one) unless set; a non-loopback address only through [`SandboxBuilder::bind`], with a warning |
//! | shutdown | graceful: the listener closes at once, requests under way finish (a request held by an injected timeout is answered 503 at once) |
//! | injected faults | with the feature `faults`, and only when a test asks, with `Sandbox::fail_request`: the `n`th request of one `Operation` from then on (counted per operation as requests arrive, before authentication) gets a `Fault`. Before anything is done: an HTTP status (body `{"returnCode": "SANDBOX-FAULT-<status>", …}`, or `{"retCode": …, "message": …}` at queryIVRFlowList), a 200 with a given `returnCode` (`retCode` at queryIVRFlowList), any status, content type and body (also chunked, a redirect, or a huge body produced as it is read), no answer until the client times out (held at most `FAULT_HOLD`), the head and then no body, the connection closed without an answer, reset mid-body or cut short of its `Content-Length`. After the request was carried out: a status, no answer, or the head followed by a dropped connection. `FaultServer` answers every request with the same vocabulary, without a tenant behind it |
//! | in flight | with the feature `faults`, every request, of any endpoint, counts from arrival to answer; `Sandbox::max_in_flight` is the most at once |
//! | latency | none unless [`SandboxBuilder::latency`]: then each business request (the seven operations but `tokenByAkSk`) waits that long before it is carried out |
//! | rate limit | none unless [`SandboxBuilder::rate_limit`] (`cec-routes sandbox --rate-limit N`): then at most N requests, of every path together (`tokenByAkSk` included), are let through in any sliding one-second window, as a throttling gateway in front of CEC would. One more is answered **429** with `Retry-After` (the whole seconds until the oldest of them leaves the window, rounded up, at least 1) and the body `{"returnCode": "SANDBOX-THROTTLED", …}` ([`return_code::THROTTLED`]; `{"retCode": …, "message": …}` at queryIVRFlowList), and is **not carried out**. Refused requests do not count against the window. The throttle comes before everything but the request log: a throttled request is not authenticated, not counted by `Sandbox::requests` and gets no injected fault; [`Sandbox::throttled`] counts them |

#![cfg_attr(docsrs, feature(doc_cfg))]
#![deny(missing_docs)]

mod auth;
mod error;
#[cfg(feature = "faults")]
mod faults;
mod handlers;
mod listing;
mod ranked;
mod rate_limit;
mod routes;
mod seed;
mod serve;
mod state;
mod tenant;
mod validate;
mod wire;

pub mod return_code;

use std::{
    fmt,
    future::Future,
    net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr},
    num::NonZeroU32,
    sync::Arc,
    time::Duration,
};

use secrecy::{ExposeSecret, SecretString};
use tokio::{
    sync::{oneshot, watch},
    task::JoinHandle,
};

use cec_routes::{
    AccessCode, Client, ClientBuilder,
    config::{ENV_APP_KEY, ENV_APP_SECRET},
};

pub use error::Error;

#[cfg(feature = "faults")]
#[cfg_attr(docsrs, doc(cfg(feature = "faults")))]
pub use faults::{Delivery, FAULT_HOLD, Fault, FaultServer, Framing, Operation, Received};
pub use seed::Seed;
pub use serve::HEADER_READ_TIMEOUT;
pub use tenant::SandboxRoute;

/// The largest request body either endpoint reads (64 KiB); a larger one is
/// refused with 400.
pub const BODY_LIMIT: usize = 64 * 1024;

/// The `Scope` of every token the sandbox issues.
pub const TOKEN_SCOPE: &str = "cc-management";

/// What the handlers share: the tokens and the tenant.
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) tokens: auth::Tokens,
    pub(crate) state: state::State,
    /// Request counts, injected faults, the in-flight count.
    #[cfg(feature = "faults")]
    pub(crate) faults: faults::Faults,
    /// Turns `true` when the sandbox stops: held requests end.
    pub(crate) stopping: watch::Sender<bool>,
    /// Added before every business request is carried out.
    pub(crate) latency: Duration,
    /// The rate limit, if one is set.
    pub(crate) throttle: Option<rate_limit::Throttle>,
}

/// Configures a [`Sandbox`]: address, port, credentials, seed, latency and
/// rate limit.
///
/// # Examples
///
/// ```
/// use cec_routes_sandbox::Sandbox;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let sandbox = Sandbox::builder()
///     .credentials("my-app-key", "my-app-secret")
///     .start()
///     .await?;
/// assert_eq!(sandbox.app_key(), "my-app-key");
/// assert!(sandbox.addr().ip().is_loopback());
/// # Ok(())
/// # }
/// ```
#[must_use]
pub struct SandboxBuilder {
    ip: IpAddr,
    port: u16,
    credentials: Vec<auth::Credential>,
    seed: Seed,
    latency: Duration,
    header_read_timeout: Duration,
    rate_limit: Option<NonZeroU32>,
}

impl Default for SandboxBuilder {
    fn default() -> Self {
        SandboxBuilder {
            ip: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: 0,
            credentials: Vec::new(),
            seed: Seed::default(),
            latency: Duration::ZERO,
            header_read_timeout: HEADER_READ_TIMEOUT,
            rate_limit: None,
        }
    }
}

impl fmt::Debug for SandboxBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SandboxBuilder")
            .field("ip", &self.ip)
            .field("port", &self.port)
            .field("credentials", &self.credentials)
            .field("seed", &self.seed)
            .field("latency", &self.latency)
            .field("header_read_timeout", &self.header_read_timeout)
            .field("rate_limit", &self.rate_limit)
            .finish()
    }
}

impl SandboxBuilder {
    /// The port to listen on; 0 (the default) picks a free one.
    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// The address to listen on (default `127.0.0.1`). Anything but loopback
    /// lets other machines use the sandbox and its credentials over plain
    /// http; [`start`](SandboxBuilder::start) logs a warning for it.
    pub fn bind(mut self, ip: impl Into<IpAddr>) -> Self {
        self.ip = ip.into();
        self
    }

    /// Accepts this app key and app secret at `tokenByAkSk`. Call it again
    /// for more pairs; the first pair is the one [`Sandbox::app_key`] and
    /// [`Sandbox::client_builder`] use. Without any, one pair is generated.
    pub fn credentials(
        mut self,
        app_key: impl Into<String>,
        app_secret: impl Into<String>,
    ) -> Self {
        self.credentials.push(auth::Credential::new(
            app_key.into(),
            SecretString::from(app_secret.into()),
        ));
        self
    }

    /// What the sandbox holds when it starts (default: [`Seed::default`]).
    ///
    /// # Examples
    ///
    /// ```
    /// use cec_routes_sandbox::{Sandbox, Seed};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let sandbox = Sandbox::builder()
    ///     .seed(Seed::documented_examples())
    ///     .start()
    ///     .await?;
    /// assert_eq!(sandbox.routes().len(), 3);
    /// # Ok(())
    /// # }
    /// ```
    pub fn seed(mut self, seed: Seed) -> Self {
        self.seed = seed;
        self
    }

    /// Waits this long before carrying out each request of the seven
    /// business operations (not `tokenByAkSk`), as a remote CEC would take:
    /// concurrency then shows, in tests and measurements. Default: none.
    pub fn latency(mut self, latency: Duration) -> Self {
        self.latency = latency;
        self
    }

    /// Lets at most `requests` requests (of every path together) through
    /// in any sliding one-second window, as a gateway that throttles CEC
    /// would: one more is answered 429 with `Retry-After` and is not
    /// carried out. Refused requests do not count against the window;
    /// [`Sandbox::throttled`] counts them. Default: no limit; 0 also means
    /// none.
    ///
    /// # Examples
    ///
    /// ```
    /// use cec_routes::{CalledRoute, Device, Error, RetryPolicy};
    /// use cec_routes_sandbox::Sandbox;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let sandbox = Sandbox::builder().rate_limit(2).start().await?;
    /// let client = sandbox.client_builder().retry_policy(RetryPolicy::none()).build()?;
    ///
    /// // The token request and one create fill the second.
    /// client.create_called_route(&CalledRoute::new("9911411", Device::Ivr(7))?).await?;
    /// let route = CalledRoute::new("9911411", Device::Ivr(8))?.with_ext_code("1")?;
    /// let err = client.create_called_route(&route).await.unwrap_err();
    /// assert_eq!(err.status(), Some(429));
    /// assert_eq!(sandbox.routes().len(), 1);
    /// assert_eq!(sandbox.throttled(), 1);
    /// # Ok(())
    /// # }
    /// ```
    pub fn rate_limit(mut self, requests: u32) -> Self {
        self.rate_limit = NonZeroU32::new(requests);
        self
    }

    /// How long a client may take to send a request's headers before its
    /// connection is closed (default [`HEADER_READ_TIMEOUT`]): a slow or
    /// silent client cannot hold a connection forever.
    pub fn header_read_timeout(mut self, timeout: Duration) -> Self {
        self.header_read_timeout = timeout;
        self
    }

    /// Accepts the pair in `CEC_APP_KEY` and `CEC_APP_SECRET` when both are
    /// set (the client's variables, so a client configured from the
    /// environment works against the sandbox); otherwise changes nothing,
    /// and a pair is generated at start.
    pub fn credentials_from_env(self) -> Self {
        self.credentials_from_lookup(|name| std::env::var(name).ok())
    }

    fn credentials_from_lookup(self, lookup: impl Fn(&str) -> Option<String>) -> Self {
        let non_empty = |name: &str| lookup(name).filter(|value| !value.trim().is_empty());
        match (non_empty(ENV_APP_KEY), non_empty(ENV_APP_SECRET)) {
            (Some(key), Some(secret)) => self.credentials(key.trim(), secret.trim()),
            (None, None) => self,
            _ => {
                tracing::warn!(
                    "only one of {ENV_APP_KEY} and {ENV_APP_SECRET} is set; \
                     the sandbox generates its own credentials"
                );
                self
            }
        }
    }

    /// Binds the address and starts serving on the current tokio runtime.
    ///
    /// Fails with [`Error::Credentials`] when the credentials are empty or
    /// repeat an app key, and with [`Error::Bind`] when the address cannot be bound (in use, not
    /// local, no permission).
    pub async fn start(self) -> Result<Sandbox, Error> {
        let credentials = if self.credentials.is_empty() {
            vec![auth::Credential::generate()]
        } else {
            self.credentials
        };
        let tokens = auth::Tokens::new(credentials)?;
        let (app_key, app_secret) = tokens.first_credential();

        let requested = SocketAddr::new(self.ip, self.port);
        let listener = tokio::net::TcpListener::bind(requested)
            .await
            .map_err(|source| Error::Bind {
                addr: requested,
                source,
            })?;
        let addr = listener.local_addr().map_err(|source| Error::Bind {
            addr: requested,
            source,
        })?;
        if !addr.ip().is_loopback() {
            tracing::warn!(
                %addr,
                "the sandbox listens on an address that is not loopback: other machines can \
                 reach it, and its credentials and tokens cross the network in plain http"
            );
        }

        let shared = Arc::new(Shared {
            tokens,
            state: state::State::new(&self.seed),
            #[cfg(feature = "faults")]
            faults: faults::Faults::default(),
            stopping: watch::Sender::new(false),
            latency: self.latency,
            throttle: self.rate_limit.map(rate_limit::Throttle::new),
        });
        let (shutdown, signal) = oneshot::channel::<()>();
        let server = serve::serve(
            listener,
            handlers::router(shared.clone(), addr),
            self.header_read_timeout,
            async {
                // A send or a dropped sender: either way, stop.
                let _ = signal.await;
            },
        );
        let task = tokio::spawn(server);
        tracing::info!(%addr, "CEC sandbox listening");

        Ok(Sandbox {
            addr,
            base_url: base_url(addr),
            app_key,
            app_secret,
            shared,
            shutdown: Some(shutdown),
            task: Some(task),
        })
    }
}

/// The URL clients use: loopback when the sandbox listens on every address.
fn base_url(addr: SocketAddr) -> String {
    let ip = match addr.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
        ip => ip,
    };
    format!("http://{}", SocketAddr::new(ip, addr.port()))
}

/// A running local CEC.
///
/// Dropping it stops the server (gracefully: the port closes at once,
/// requests under way finish); [`shutdown`](Sandbox::shutdown) does the same
/// and waits for the server to end.
///
/// `Debug` shows the address and the app key, never the secret.
pub struct Sandbox {
    addr: SocketAddr,
    base_url: String,
    app_key: String,
    app_secret: SecretString,
    shared: Arc<Shared>,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<std::io::Result<()>>>,
}

impl fmt::Debug for Sandbox {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sandbox")
            .field("addr", &self.addr)
            .field("app_key", &self.app_key)
            .field("app_secret", &"[REDACTED]")
            .finish_non_exhaustive()
    }
}

impl Sandbox {
    /// Starts a sandbox on a free loopback port with generated credentials
    /// and the [default seed](Seed::default).
    pub async fn start() -> Result<Sandbox, Error> {
        Sandbox::builder().start().await
    }

    /// A builder: loopback, a free port, generated credentials, the default
    /// seed.
    pub fn builder() -> SandboxBuilder {
        SandboxBuilder::default()
    }

    /// The address the server listens on (with the port it got).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The base URL for clients, e.g. `http://127.0.0.1:40123` (loopback
    /// when the sandbox listens on every address).
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The app key of the first credential pair.
    pub fn app_key(&self) -> &str {
        &self.app_key
    }

    /// The app secret of the first credential pair.
    pub fn app_secret(&self) -> &SecretString {
        &self.app_secret
    }

    /// A client builder aimed at the sandbox with the first credential pair
    /// (AK/SK tokens from the sandbox's `tokenByAkSk`). Plain http is
    /// allowed when the sandbox listens on an address that is not loopback.
    pub fn client_builder(&self) -> ClientBuilder {
        let loopback = base_url_is_loopback(self.addr);
        Client::builder()
            .base_url(self.base_url.as_str())
            .credentials(self.app_key.as_str(), self.app_secret.expose_secret())
            .allow_insecure_http(!loopback)
    }

    /// Every route the sandbox holds now (seeded or created, as modified,
    /// without the deleted ones), by dnid: oldest first.
    pub fn routes(&self) -> Vec<SandboxRoute> {
        self.shared.state.all()
    }

    /// Every access code of the sandbox's tenant, in the seed's order, as
    /// the client lists them.
    pub fn access_codes(&self) -> Vec<AccessCode> {
        self.shared
            .state
            .access_codes()
            .iter()
            .map(AccessCode::from_wire)
            .collect()
    }

    /// How many requests reached `tokenByAkSk`, answered with a token or not.
    pub fn token_requests(&self) -> usize {
        self.shared.tokens.requests()
    }

    /// How many requests the [rate limit](SandboxBuilder::rate_limit)
    /// refused with 429 so far (0 without one).
    pub fn throttled(&self) -> usize {
        self.shared.throttle.as_ref().map_or(0, |t| t.refused())
    }

    /// The rate limit, in requests per second, if one is set.
    pub fn rate_limit(&self) -> Option<u32> {
        self.shared.throttle.as_ref().map(|t| t.limit())
    }

    /// Makes every token issued so far expired: the next business request
    /// with one of them gets 401, as a real token at the end of its life.
    pub fn expire_tokens(&self) {
        self.shared.tokens.expire_all();
    }

    /// Makes the `nth` request of `operation` from now on (1: the next one)
    /// fail with `fault` (any [`Fault`], the vocabulary [`FaultServer`]
    /// shares); several faults may be planned. Requests are counted per
    /// operation as they arrive, whatever their outcome.
    ///
    /// # Examples
    ///
    /// ```
    /// use cec_routes::{CalledRoute, Device, Error};
    /// use cec_routes_sandbox::{Fault, Operation, Sandbox};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let sandbox = Sandbox::start().await?;
    /// let client = sandbox.client_builder().build()?;
    /// sandbox.fail_request(Operation::CreateCalledRoute, 1, Fault::StatusAfterCommit(500));
    ///
    /// let route = CalledRoute::new("9911411", Device::Ivr(7))?;
    /// let err = client.create_called_route(&route).await.unwrap_err();
    /// assert!(matches!(err, Error::ServerFailure { .. }));
    /// assert_eq!(sandbox.routes().len(), 1); // created all the same
    /// # Ok(())
    /// # }
    /// ```
    #[cfg(feature = "faults")]
    #[cfg_attr(docsrs, doc(cfg(feature = "faults")))]
    pub fn fail_request(&self, operation: Operation, nth: usize, fault: Fault) {
        self.shared.faults.fail(operation, nth, fault);
    }

    /// How many requests of `operation` arrived so far (answered or not).
    #[cfg(feature = "faults")]
    #[cfg_attr(docsrs, doc(cfg(feature = "faults")))]
    pub fn requests(&self, operation: Operation) -> usize {
        self.shared.faults.requests(operation)
    }

    /// The most requests (of any endpoint) the sandbox had under way at
    /// once since it started or since [`reset_max_in_flight`](Sandbox::reset_max_in_flight).
    #[cfg(feature = "faults")]
    #[cfg_attr(docsrs, doc(cfg(feature = "faults")))]
    pub fn max_in_flight(&self) -> usize {
        self.shared.faults.max_in_flight()
    }

    /// Starts counting [`max_in_flight`](Sandbox::max_in_flight) afresh.
    #[cfg(feature = "faults")]
    #[cfg_attr(docsrs, doc(cfg(feature = "faults")))]
    pub fn reset_max_in_flight(&self) {
        self.shared.faults.reset_max_in_flight();
    }

    /// Serves until `signal` completes (e.g. `tokio::signal::ctrl_c()`),
    /// then shuts down gracefully. For a standalone sandbox, such as the
    /// command line's `cec-routes sandbox`.
    ///
    /// Fails with [`Error::Server`] if the server stopped on its own.
    pub async fn serve_until(mut self, signal: impl Future) -> Result<(), Error> {
        let Some(mut task) = self.task.take() else {
            return Ok(());
        };
        tokio::select! {
            _ = signal => {
                tracing::info!(addr = %self.addr, "CEC sandbox shutting down");
                self.stop();
                finish(task.await)
            }
            ended = &mut task => match finish(ended) {
                Ok(()) => Err(Error::Server {
                    reason: "it stopped unexpectedly".into(),
                }),
                Err(error) => Err(error),
            },
        }
    }

    /// Stops the server and waits until it has ended: the port is closed and
    /// the requests under way are answered.
    pub async fn shutdown(mut self) {
        self.stop();
        if let Some(task) = self.task.take()
            && let Err(error) = finish(task.await)
        {
            tracing::warn!(%error, "the sandbox server ended with an error");
        }
    }

    fn stop(&mut self) {
        self.shared.stopping.send_replace(true);
        if let Some(shutdown) = self.shutdown.take() {
            // The server may have ended already; then there is nothing to stop.
            let _ = shutdown.send(());
        }
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        self.stop();
    }
}

fn base_url_is_loopback(addr: SocketAddr) -> bool {
    addr.ip().is_loopback() || addr.ip().is_unspecified()
}

fn finish(ended: Result<std::io::Result<()>, tokio::task::JoinError>) -> Result<(), Error> {
    match ended {
        Ok(Ok(())) => Ok(()),
        Ok(Err(e)) => Err(Error::Server {
            reason: e.to_string(),
        }),
        Err(e) => Err(Error::Server {
            reason: format!("its task failed: {e}"),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lookup<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| {
            pairs
                .iter()
                .find(|(key, _)| *key == name)
                .map(|(_, value)| (*value).to_owned())
        }
    }

    #[test]
    fn credentials_from_the_environment_need_both_variables() {
        let both = Sandbox::builder().credentials_from_lookup(lookup(&[
            (ENV_APP_KEY, "env-key"),
            (ENV_APP_SECRET, "env-secret"),
        ]));
        assert_eq!(both.credentials.len(), 1);
        assert_eq!(both.credentials[0].app_key(), "env-key");

        let key_only =
            Sandbox::builder().credentials_from_lookup(lookup(&[(ENV_APP_KEY, "env-key")]));
        assert!(key_only.credentials.is_empty());

        let empty = Sandbox::builder()
            .credentials_from_lookup(lookup(&[(ENV_APP_KEY, ""), (ENV_APP_SECRET, "s")]));
        assert!(empty.credentials.is_empty());
    }

    #[test]
    fn base_url_uses_loopback_for_every_address() {
        let any: SocketAddr = "0.0.0.0:8080".parse().unwrap();
        assert_eq!(base_url(any), "http://127.0.0.1:8080");
        let any6: SocketAddr = "[::]:8080".parse().unwrap();
        assert_eq!(base_url(any6), "http://[::1]:8080");
    }

    #[test]
    fn debug_never_shows_the_secret() {
        let builder = Sandbox::builder().credentials("key", "very-secret-value");
        assert!(!format!("{builder:?}").contains("very-secret-value"));
    }
}
