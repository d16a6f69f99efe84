/** The vehicle's MAVLink address. */
export interface VehicleIds {
  systemId: number;
  componentId: number;
}

/** Whether a message targeted at (system, component) is for this vehicle; 0 is the broadcast id. */
export function isForVehicle(targetSystem: number, targetComponent: number, ids: VehicleIds): boolean {
  return (
    (targetSystem === 0 || targetSystem === ids.systemId) &&
    (targetComponent === 0 || targetComponent === ids.componentId)
  );
}
