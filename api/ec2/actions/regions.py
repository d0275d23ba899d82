"""DescribeRegions, DescribeAvailabilityZones,
DescribeAccountAttributes."""

from nimbus.api.ec2 import params as ec2_params

AZ = "os_compute_api:os-availability-zone:list"


def describe_regions(call):
    wanted = call.params.strings("RegionName")
    filters = ec2_params.filters(call.params, ("endpoint", "region-name"))
    name = call.conf.ec2.region_name
    endpoint = call.conf.ec2.bind_host
    regions = [{"regionName": name, "regionEndpoint": endpoint}]
    regions = [r for r in regions
               if (not wanted or r["regionName"] in wanted) and
               ec2_params.matches(filters.get("region-name", ["*"]),
                                  r["regionName"]) and
               ec2_params.matches(filters.get("endpoint", ["*"]),
                                  r["regionEndpoint"])]
    return {"regionInfo": regions}


def describe_availability_zones(call):
    call.authorize(AZ)
    wanted = call.params.strings("ZoneName")
    filters = ec2_params.filters(call.params, (
        "zone-name", "region-name", "state"))
    zones = call.services.admin.availability_zones(call.context.elevated())
    region = call.conf.ec2.region_name
    info = []
    for name, zone in sorted(zones.items()):
        state = "available" if zone["available"] else "unavailable"
        values = {"zone-name": name, "region-name": region, "state": state}
        if wanted and name not in wanted:
            continue
        if all(ec2_params.matches(v, values[k]) for k, v in filters.items()):
            info.append({"zoneName": name, "zoneState": state,
                         "regionName": region, "messageSet": []})
    return {"availabilityZoneInfo": info}


def describe_account_attributes(call):
    call.authorize("os_compute_api:limits")
    limits = call.services.quotas.absolute_limits(
        call.context, call.context.project_id)
    unlimited = 2 ** 31 - 1
    values = {
        "supported-platforms": ["EC2"],
        "default-vpc": ["none"],
        "max-instances": [str(limits["maxTotalInstances"]
                              if limits["maxTotalInstances"] >= 0
                              else unlimited)],
        "max-elastic-ips": [str(limits["maxTotalFloatingIps"]
                                if limits["maxTotalFloatingIps"] >= 0
                                else unlimited)],
        "vpc-max-security-groups-per-interface": ["5"],
    }
    wanted = call.params.strings("AttributeName")
    for name in wanted:
        if name not in values:
            raise ec2_params.bad(f"Invalid attribute name: {name}")
    return {"accountAttributeSet": [
        {"attributeName": name,
         "attributeValueSet": [{"attributeValue": v} for v in vals]}
        for name, vals in values.items() if not wanted or name in wanted]}


ACTIONS = {
    "DescribeRegions": describe_regions,
    "DescribeAvailabilityZones": describe_availability_zones,
    "DescribeAccountAttributes": describe_account_attributes,
}
