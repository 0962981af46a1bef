//! Re-pointing a route: `modifyCalledRoute`, and the [`RouteChange`] it
//! sends, checked before it is sent.

use crate::{
    client::Client,
    device::{Device, check_device_media},
    envelope::{Success, confirm},
    error::Error,
    generated::types,
    listed::Listed,
    query_called_route::{Route, RouteId},
};

/// A change of one route's target device, checked before it is sent.
///
/// Built from a listed [`Route`], it refuses what the documentation forbids:
/// a route whose `editable` state forbids editing, and an IVR flow on the
/// multimedia channel. Built from a bare id, only the id and device can be
/// checked.
///
/// # Examples
///
/// ```
/// use cec_routes::{Device, RouteChange};
///
/// let change = RouteChange::by_id("1125397061153369092".parse()?, Device::SkillQueue(2))?;
/// assert_eq!(change.id().as_str(), "1125397061153369092");
/// # Ok::<(), cec_routes::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct RouteChange {
    id: RouteId,
    device: Device,
}

impl RouteChange {
    /// Points `route` at `device`, if its state and media type allow it.
    pub fn new(route: &Route, device: Device) -> Result<Self, Error> {
        let id = route
            .id
            .clone()
            .ok_or_else(|| Error::invalid("id", "the route has no id, so it cannot be modified"))?;
        if !route.editable.can_edit() {
            return Err(Error::invalid(
                "id",
                format!(
                    "route {id} cannot be edited (editable is {:?})",
                    route.editable.code()
                ),
            ));
        }
        let media = route.media_type.as_ref().and_then(Listed::known).copied();
        check_device_media(device, media)?;
        Self::by_id(id, device)
    }

    /// Points the route with this id at `device`, without knowing its state
    /// or media type.
    pub fn by_id(id: RouteId, device: Device) -> Result<Self, Error> {
        device.to_wire()?;
        Ok(RouteChange { id, device })
    }

    /// The route's id.
    pub fn id(&self) -> &RouteId {
        &self.id
    }

    /// The new device.
    pub fn device(&self) -> Device {
        self.device
    }

    /// The request body the generated client sends.
    pub fn to_request(&self) -> types::ModifyCalledRouteRequest {
        let (devicetype, device_id) = self
            .device
            .to_wire()
            .expect("the device was checked when the change was built");
        types::ModifyCalledRouteRequest {
            id: self.id.to_wire(),
            devicetype,
            device_id,
        }
    }
}

impl Client {
    /// Points one route at another skill queue or IVR flow:
    /// `modifyCalledRoute`. Like a create, it is never resent once it may
    /// have reached CEC; as it sets an absolute target, it is resent after
    /// a 429 and after a 503 with an empty body (a gateway's refusals; see
    /// [`RetryPolicy`](crate::RetryPolicy)).
    ///
    /// # Examples
    ///
    /// ```no_run
    /// use cec_routes::{Client, Device, RouteChange, RouteFilter};
    ///
    /// # async fn run(client: Client) -> Result<(), cec_routes::Error> {
    /// for route in client.called_routes(&RouteFilter::new().access_code("9911411")?).await? {
    ///     let change = RouteChange::new(&route, Device::SkillQueue(2))?;
    ///     client.modify_called_route(&change).await?;
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub async fn modify_called_route(&self, change: &RouteChange) -> Result<Success, Error> {
        let body = &change.to_request();
        let response = self
            .call("modifyCalledRoute", |raw| async move {
                raw.modify_called_route(body).await
            })
            .await?;
        confirm("modifyCalledRoute", response.into_inner())
    }
}
