namespace TunnelGuard.Flows;

/// <summary>An intrusive doubly linked list of flows ordered by last packet, oldest first.</summary>
internal sealed class FlowList
{
    public Flow? Head { get; private set; }

    public Flow? Tail { get; private set; }

    public int Count { get; private set; }

    public void AddLast(Flow flow)
    {
        flow.Previous = Tail;
        flow.Next = null;
        if (Tail is null)
        {
            Head = flow;
        }
        else
        {
            Tail.Next = flow;
        }

        Tail = flow;
        Count++;
    }

    public void Remove(Flow flow)
    {
        if (flow.Previous is null)
        {
            Head = flow.Next;
        }
        else
        {
            flow.Previous.Next = flow.Next;
        }

        if (flow.Next is null)
        {
            Tail = flow.Previous;
        }
        else
        {
            flow.Next.Previous = flow.Previous;
        }

        flow.Previous = null;
        flow.Next = null;
        Count--;
    }

    public void MoveToEnd(Flow flow)
    {
        if (Tail == flow)
        {
            return;
        }

        Remove(flow);
        AddLast(flow);
    }
}
