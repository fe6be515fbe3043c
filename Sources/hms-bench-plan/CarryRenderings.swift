import Planner

/// What the controller does between passes: the Deployments one plan rendered, handed to the
/// next. (hack/bench-plan.sh puts a version that does nothing in a base commit that predates
/// `RenderedDeployment`.)
func carryRenderings(of plan: Plan, into options: inout Planner.Options) {
    options.renderedDeployments = plan.renderedDeployments
}
